//! The lookup interface another driver queries: its table, its lookups at DISPATCH_LEVEL
//! while methods run, and its reference counting.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::vec::Vec;

use super::*;
use crate::interface::{
    LOOKUP_INTERFACE_GUID, LOOKUP_INTERFACE_VERSION, LookupInterface, key_source,
};
use crate::sim::Machine;
use crate::sys::{INTERFACE, NTSTATUS, STATUS_SUCCESS, ntddk};

const GUID: [u8; 16] = LOOKUP_INTERFACE_GUID.to_bytes_le();

/// IRP_MN_QUERY_INTERFACE for the lookup interface, as another driver sends it.
fn query(machine: &Machine) -> LookupInterface {
    let bytes = machine
        .query_interface(&GUID, 48, LOOKUP_INTERFACE_VERSION)
        .expect("the interface is exposed");
    // SAFETY: the simulation copied the driver's 48-byte interface into an aligned buffer.
    unsafe { bytes.as_ptr().cast::<LookupInterface>().read() }
}

/// Calls LookupKey; returns (status, key bytes, KeySize, KeySource).
fn lookup(
    iface: &LookupInterface,
    port: u32,
    id_type: u8,
    id: &[u8],
    room: usize,
) -> (NTSTATUS, Vec<u8>, u32, u32) {
    let mut key = std::vec![0u8; room];
    let (mut size, mut source) = (0xFFFF_FFFFu32, 0u32);
    let f = iface.LookupKey.expect("LookupKey");
    // SAFETY: the interface's own context; buffers as the README requires.
    let status = unsafe {
        f(
            iface.InterfaceHeader.Context,
            port,
            id_type,
            id.as_ptr(),
            id.len() as u32,
            key.as_mut_ptr(),
            room as u32,
            &mut size,
            &mut source,
        )
    };
    key.truncate((size as usize).min(room));
    (status, key, size, source)
}

fn dereference(iface: &LookupInterface) {
    let f = iface
        .InterfaceHeader
        .InterfaceDereference
        .expect("InterfaceDereference");
    // SAFETY: gives back the reference the query took.
    unsafe { f(iface.InterfaceHeader.Context) };
}

#[test]
fn the_interface_is_versioned_and_sized_and_refused_to_smaller_or_older_requests() {
    let machine = booted();
    let iface = query(&machine);
    let header: INTERFACE = iface.InterfaceHeader;
    assert_eq!((header.Size, header.Version), (48, 1));
    assert!(!header.Context.is_null());
    assert!(header.InterfaceReference.is_some() && header.InterfaceDereference.is_some());
    assert!(iface.LookupKey.is_some() && iface.ReadChapSecret.is_some());
    dereference(&iface);
    let too_small = crate::sim::STATUS_INVALID_BUFFER_SIZE;
    assert_eq!(machine.query_interface(&GUID, 40, 1).err(), Some(too_small));
    assert_eq!(machine.query_interface(&GUID, 48, 0).err(), Some(too_small));
    assert_eq!(
        machine.query_interface(&[0x42; 16], 48, 1).err(),
        Some(crate::sim::STATUS_NOT_SUPPORTED)
    );
}

#[test]
fn lookups_follow_the_precedence_and_report_where_the_key_came_from() {
    let machine = booted();
    let iface = query(&machine);
    let id: &[u8] = b"initiator.example";
    assert_nt(lookup(&iface, 0, 2, id, 256).0, nt::NOT_FOUND);
    call(&machine, method::SET_GROUP_KEY, &sized(b"group-key"));
    call(
        &machine,
        method::SET_PSK,
        &set_psk(0xFFFF_FFFF, 0, 2, id, b"all-ports-key"),
    );
    call(
        &machine,
        method::SET_PSK,
        &set_psk(0, 0, 2, id, b"port-0-key"),
    );
    let (status, key, size, source) = lookup(&iface, 0, 2, b"INITIATOR.example", 256);
    assert_nt(status, STATUS_SUCCESS);
    assert_eq!(
        (key.as_slice(), size, source),
        (&b"port-0-key"[..], 10, key_source::PORT)
    );
    let (_, key, _, source) = lookup(&iface, 1, 2, id, 256);
    assert_eq!(
        (key.as_slice(), source),
        (&b"all-ports-key"[..], key_source::ALL_PORTS)
    );
    let (_, key, _, source) = lookup(&iface, 1, 2, b"other.example", 256);
    assert_eq!(
        (key.as_slice(), source),
        (&b"group-key"[..], key_source::GROUP)
    );
    // The lookup path allocates nothing (counted as driver code, on this thread).
    let mut key = [0u8; 256];
    let (mut size, mut source) = (0u32, 0u32);
    let lookup_fn = iface.LookupKey.expect("LookupKey");
    let attempts = {
        let _driver = crate::sim::DriverScope::enter();
        let before = crate::sim::alloc::driver_allocation_attempts();
        // SAFETY: the interface's context and caller buffers, allocated before.
        let status = unsafe {
            lookup_fn(
                iface.InterfaceHeader.Context,
                0,
                2,
                id.as_ptr(),
                id.len() as u32,
                key.as_mut_ptr(),
                256,
                &mut size,
                &mut source,
            )
        };
        let attempts = crate::sim::alloc::driver_allocation_attempts() - before;
        assert_nt(status, STATUS_SUCCESS);
        attempts
    };
    assert_eq!(attempts, 0, "LookupKey allocated");
    // Too small a buffer: nothing copied, the size needed reported.
    let (status, _, size, _) = lookup(&iface, 0, 2, id, 4);
    assert_nt(status, nt::BUFFER_TOO_SMALL);
    assert_eq!(size, 10);
    // Arguments the core refuses.
    assert_nt(lookup(&iface, 2, 2, id, 256).0, nt::INVALID_PARAMETER);
    assert_nt(lookup(&iface, 0, 4, id, 256).0, nt::INVALID_PARAMETER);
    assert_nt(
        lookup(&iface, 0, 1, &[1, 2, 3], 256).0,
        nt::INVALID_PARAMETER,
    );
    dereference(&iface);
}

#[test]
fn the_chap_secret_is_read_through_the_interface() {
    let machine = booted();
    let iface = query(&machine);
    let read = iface.ReadChapSecret.expect("ReadChapSecret");
    let mut secret = [0u8; 16];
    let mut size = 0u32;
    // SAFETY: the interface's context and writable buffers.
    let status = unsafe {
        read(
            iface.InterfaceHeader.Context,
            secret.as_mut_ptr(),
            16,
            &mut size,
        )
    };
    assert_nt(status, nt::NOT_FOUND);
    call(&machine, method::SET_CHAP, &sized(b"mutual-chap-1"));
    // SAFETY: as above.
    let status = unsafe {
        read(
            iface.InterfaceHeader.Context,
            secret.as_mut_ptr(),
            16,
            &mut size,
        )
    };
    assert_nt(status, STATUS_SUCCESS);
    assert_eq!(&secret[..size as usize], b"mutual-chap-1");
    dereference(&iface);
}

#[test]
fn a_lookup_above_dispatch_level_is_refused_without_touching_the_irql() {
    let machine = booted();
    let iface = query(&machine);
    call(&machine, method::SET_GROUP_KEY, &sized(b"group-key"));
    // SAFETY: simulated IRQL changes on this thread (a DIRQL caller).
    let old = unsafe { ntddk::KfRaiseIrql(5) };
    let status = lookup(&iface, 0, 2, b"x.example", 256).0;
    // SAFETY: as above.
    unsafe { ntddk::KeLowerIrql(old) };
    assert_nt(status, nt::INVALID_DEVICE_STATE);
    dereference(&iface);
    machine.assert_clean();
}

#[test]
fn lookups_at_dispatch_level_return_whole_keys_while_a_writer_runs_methods_on_another_thread() {
    let machine = booted();
    let id: &[u8] = b"busy.example";
    let old = [b'a'; 32];
    let new = [b'b'; 48];
    call(&machine, method::SET_PSK, &set_psk(0, 0, 2, id, &old));
    let iface = query(&machine);
    let inner = std::sync::Arc::clone(machine.inner());
    let done = AtomicBool::new(false);
    let (hits, whole) = (AtomicU64::new(0), AtomicU64::new(0));
    let context = iface.InterfaceHeader.Context as usize;
    let lookup_fn = iface.LookupKey.expect("LookupKey");
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let _cpu = crate::sim::enter_on(&inner, 1);
            while !done.load(Ordering::Acquire) {
                // An IKE engine's DPC: at DISPATCH_LEVEL on processor 1.
                // SAFETY: simulated IRQL change on this thread.
                let previous = unsafe { ntddk::KfRaiseIrql(2) };
                let mut key = [0u8; 256];
                let (mut size, mut source) = (0u32, 0u32);
                // SAFETY: the interface's context, kept referenced by the test.
                let status = unsafe {
                    lookup_fn(
                        context as _,
                        0,
                        2,
                        id.as_ptr(),
                        id.len() as u32,
                        key.as_mut_ptr(),
                        256,
                        &mut size,
                        &mut source,
                    )
                };
                // SAFETY: as above.
                unsafe { ntddk::KeLowerIrql(previous) };
                assert_eq!(status, STATUS_SUCCESS);
                let got = &key[..size as usize];
                hits.fetch_add(1, Ordering::Relaxed);
                if got == old || got == new {
                    whole.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        for round in 0..100 {
            let key: &[u8] = if round % 2 == 0 { &new } else { &old };
            let answer = call(&machine, method::SET_PSK, &set_psk(0, 0, 2, id, key));
            assert_eq!(out_status(&answer), isdsc::SUCCESS);
        }
        while hits.load(Ordering::Relaxed) < 100 {
            std::thread::yield_now();
        }
        done.store(true, Ordering::Release);
    });
    assert_eq!(
        hits.load(Ordering::Relaxed),
        whole.load(Ordering::Relaxed),
        "every key read whole"
    );
    let periods = machine.with_state(|s| s.reclaimer().periods());
    assert!(
        periods >= 1,
        "replaced keys were reclaimed after grace periods"
    );
    dereference(&iface);
}

#[test]
fn references_keep_the_interface_alive_after_the_device_is_gone() {
    let mut machine = booted();
    call(&machine, method::SET_GROUP_KEY, &sized(b"group-key"));
    assert_eq!(
        machine.with_state(|s| s.interface_references()),
        1,
        "the device's own"
    );
    let first = query(&machine);
    let second = query(&machine);
    assert_eq!(machine.with_state(|s| s.interface_references()), 3);
    dereference(&first);
    assert_eq!(machine.with_state(|s| s.interface_references()), 2);
    assert_nt(lookup(&second, 0, 2, b"x.example", 256).0, STATUS_SUCCESS);
    machine.remove_device();
    // The device and its provider are gone; the engine still holds a reference.
    assert_nt(
        lookup(&second, 0, 2, b"x.example", 256).0,
        nt::DEVICE_NOT_READY,
    );
    assert!(
        machine.live_driver_bytes() > 0,
        "the interface block is still allocated"
    );
    dereference(&second);
    machine.unload_driver();
    assert_eq!(
        machine.live_driver_bytes(),
        0,
        "the last dereference freed it"
    );
}

#[test]
fn a_damaged_record_makes_the_lookup_refuse_rather_than_fall_back() {
    let mut machine = booted();
    call(&machine, method::SET_GROUP_KEY, &sized(b"group-key"));
    call(
        &machine,
        method::SET_PSK,
        &set_psk(0, 0, 2, b"damaged.example", b"explicit"),
    );
    let record = machine
        .store_values()
        .into_iter()
        .find(|v| v.name.starts_with("psk-"))
        .expect("stored");
    machine.unload_driver();
    machine.plant_store_value(
        &record.name,
        crate::sys::REG_BINARY,
        &record.data[..record.data.len() - 1],
    );
    machine.boot();
    let iface = query(&machine);
    assert_nt(
        lookup(&iface, 0, 2, b"damaged.example", 256).0,
        nt::FILE_CORRUPT_ERROR,
    );
    assert_nt(
        lookup(&iface, 0, 2, b"other.example", 256).0,
        STATUS_SUCCESS,
    );
    dereference(&iface);
}

#[test]
fn the_c_header_in_the_readme_matches_the_rust_interface() {
    let header = readme_header();
    let guid = LOOKUP_INTERFACE_GUID;
    let define = std::format!(
        "0x{:08x}, 0x{:04x}, 0x{:04x}, {}",
        guid.data1,
        guid.data2,
        guid.data3,
        guid.data4.map(|b| std::format!("0x{b:02x}")).join(", ")
    );
    assert!(header.contains(&define), "GUID {define}");
    assert!(header.contains(&std::format!("{{{guid}}}")));
    assert!(header.contains(&std::format!(
        "#define ISCSISEC_LOOKUP_INTERFACE_VERSION {LOOKUP_INTERFACE_VERSION}"
    )));
    assert!(header.contains(&std::format!(
        "#define ISCSISEC_MAX_KEY_SIZE {}",
        iscsisec_core::secret::MAX_PRESHARED_KEY_LEN
    )));
    assert!(header.contains(&std::format!(
        "#define ISCSISEC_MAX_CHAP_SECRET_SIZE {}",
        iscsisec_core::secret::MAX_CHAP_SECRET_LEN
    )));
    for (name, value) in [
        ("PORT", key_source::PORT),
        ("ALL_PORTS", key_source::ALL_PORTS),
        ("GROUP", key_source::GROUP),
    ] {
        assert!(header.contains(&std::format!("#define ISCSISEC_KEY_SOURCE_{name} {value}")));
    }
    // Member order of the structure and of both function types, as the Rust ABI has them.
    let order = |needles: &[&str]| {
        let at: Vec<usize> = needles
            .iter()
            .map(|n| header.find(n).unwrap_or_else(|| panic!("{n}")))
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{needles:?}");
    };
    order(&[
        "INTERFACE InterfaceHeader;",
        "PISCSISEC_LOOKUP_KEY LookupKey;",
        "PISCSISEC_READ_CHAP_SECRET ReadChapSecret;",
    ]);
    order(&[
        "PVOID Context,",
        "ULONG PortNumber,",
        "UCHAR IdType,",
        "const UCHAR *Id,",
        "ULONG IdSize,",
        "UCHAR *Key,",
        "ULONG KeyBufferSize,",
        "PULONG KeySize,",
        "PULONG KeySource);",
    ]);
    order(&[
        "UCHAR *Secret,",
        "ULONG SecretBufferSize,",
        "PULONG SecretSize);",
    ]);
}

/// The README's header, the one a vendor copies into a C miniport or IKE engine.
fn readme_header() -> &'static str {
    include_str!("../../README.md")
        .split("```c\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the header's code block")
}

/// What `wdm.h` gives the header, transcribed (WDK19 wdm.h: the basic types, `_INTERFACE` at
/// 29427-29434, `PINTERFACE_REFERENCE` at 7103). Windows x64 is LLP64, so `ULONG` is 32 bits
/// here as there; with these types, x86-64 System V and Microsoft x64 lay structures out alike
/// (natural alignment). SAL annotations and `DEFINE_GUID`'s storage are dropped.
const WDM_SHIM: &str = "\
#include <stdint.h>
typedef int32_t NTSTATUS; typedef uint32_t ULONG, *PULONG; typedef uint16_t USHORT;
typedef uint8_t UCHAR; typedef void *PVOID; typedef void VOID;
typedef struct { uint32_t Data1; uint16_t Data2, Data3; uint8_t Data4[8]; } GUID;
typedef VOID (*PINTERFACE_REFERENCE)(PVOID Context);
typedef VOID (*PINTERFACE_DEREFERENCE)(PVOID Context);
typedef struct _INTERFACE {
    USHORT Size; USHORT Version; PVOID Context;
    PINTERFACE_REFERENCE InterfaceReference; PINTERFACE_DEREFERENCE InterfaceDereference;
} INTERFACE, *PINTERFACE;
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \\
    static const GUID name = { l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#define _In_
#define _Out_
#define _Out_opt_
#define _In_reads_bytes_(n)
#define _Out_writes_bytes_to_(n, m)
";

/// Prints, one per line, what the C compiler makes of the header.
const PROBE: &str = "\
#include <stddef.h>
#include <stdio.h>
#include \"iscsisec_lookup.h\"
/* The header's function types are the ones this prototype spells: the compiler refuses the
   assignments otherwise (-Werror). */
static NTSTATUS lookup_key(PVOID c, ULONG p, UCHAR t, const UCHAR *id, ULONG n, UCHAR *k,
    ULONG room, PULONG size, PULONG source) { (void)c; (void)p; (void)t; (void)id; (void)n;
    (void)k; (void)room; (void)size; (void)source; return 0; }
static NTSTATUS read_chap(PVOID c, UCHAR *s, ULONG room, PULONG size) {
    (void)c; (void)s; (void)room; (void)size; return 0; }
int main(void) {
    ISCSISEC_LOOKUP_INTERFACE i = { { 0 }, lookup_key, read_chap };
    const GUID *g = &GUID_ISCSISEC_LOOKUP_INTERFACE;
    (void)i;
    printf(\"size %zu\\n\", sizeof(ISCSISEC_LOOKUP_INTERFACE));
    printf(\"header %zu\\n\", offsetof(ISCSISEC_LOOKUP_INTERFACE, InterfaceHeader));
    printf(\"lookup %zu\\n\", offsetof(ISCSISEC_LOOKUP_INTERFACE, LookupKey));
    printf(\"chap %zu\\n\", offsetof(ISCSISEC_LOOKUP_INTERFACE, ReadChapSecret));
    printf(\"context %zu\\n\", offsetof(INTERFACE, Context));
    printf(\"guid %08x %04x %04x\", (unsigned)g->Data1, g->Data2, g->Data3);
    for (int b = 0; b < 8; b++) printf(\" %02x\", g->Data4[b]);
    printf(\"\\nversion %d\\n\", ISCSISEC_LOOKUP_INTERFACE_VERSION);
    printf(\"key %d\\nchap_secret %d\\nall_ports %u\\n\", ISCSISEC_MAX_KEY_SIZE,
        ISCSISEC_MAX_CHAP_SECRET_SIZE, (unsigned)ISCSISEC_ALL_PORTS);
    printf(\"sources %d %d %d\\n\", ISCSISEC_KEY_SOURCE_PORT, ISCSISEC_KEY_SOURCE_ALL_PORTS,
        ISCSISEC_KEY_SOURCE_GROUP);
    return 0;
}
";

#[test]
fn the_c_header_compiles_to_the_rust_layout() {
    use std::process::Command;
    use std::string::{String, ToString};

    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    if Command::new(&cc).arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "no C compiler ({cc}) under CI"
        );
        std::println!("SKIP: no C compiler ({cc}) to compile the README's header with");
        return;
    }
    let dir = std::env::temp_dir().join(std::format!("iscsisec-header-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let header = readme_header().replace("#include <wdm.h>", "#include \"wdm.h\"");
    std::fs::write(dir.join("wdm.h"), WDM_SHIM).unwrap();
    std::fs::write(dir.join("iscsisec_lookup.h"), header).unwrap();
    std::fs::write(dir.join("probe.c"), PROBE).unwrap();
    let built = Command::new(&cc)
        .current_dir(&dir)
        .args([
            "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", "probe", "probe.c",
        ])
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "the README's header does not compile:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let run = Command::new(dir.join("probe")).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(run.status.success());
    let printed = String::from_utf8(run.stdout).unwrap();

    let guid = LOOKUP_INTERFACE_GUID;
    let data4: String = guid
        .data4
        .iter()
        .map(|b| std::format!(" {b:02x}"))
        .collect();
    let expected = std::format!(
        "size {}\nheader {}\nlookup {}\nchap {}\ncontext {}\nguid {:08x} {:04x} {:04x}{data4}\n\
         version {LOOKUP_INTERFACE_VERSION}\nkey {}\nchap_secret {}\nall_ports {}\n\
         sources {} {} {}\n",
        size_of::<LookupInterface>(),
        core::mem::offset_of!(LookupInterface, InterfaceHeader),
        core::mem::offset_of!(LookupInterface, LookupKey),
        core::mem::offset_of!(LookupInterface, ReadChapSecret),
        core::mem::offset_of!(INTERFACE, Context),
        guid.data1,
        guid.data2,
        guid.data3,
        iscsisec_core::secret::MAX_PRESHARED_KEY_LEN,
        iscsisec_core::secret::MAX_CHAP_SECRET_LEN,
        iscsisec_core::consts::ALL_PORTS,
        key_source::PORT,
        key_source::ALL_PORTS,
        key_source::GROUP,
    );
    assert_eq!(printed, expected);
}
