//! The provider's tests, one file per SPEC section as the conformance suite has them: §3
//! transport rules, §4 each method's semantics, §5 the lookup's precedence, §6 persistence and
//! damage; this file holds their fixtures.

mod chap;
mod clear_cache;
mod damaged;
mod foreign;
mod get_psk;
mod group_key;
mod guid;
mod lookup;
mod secrets;
mod set_psk;
mod storage;
mod transport;
mod tunnel;

use super::*;
use crate::fuzzing::{Call, Class};
use crate::store::MemoryStore;
use crate::testing::buffers::{
    Address, chap_secret_in, get_psk_in, group_key_in, set_psk_in, tunnel_in,
};
use crate::testing::{FaultHandle, FaultStore, Scenario, TestPlatform, fingerprint, test_platform};
use crate::wire::set_tunnel_mode_outer_address::Shape;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

const SEC: Guid = SECURITY_CONFIG_OPERATIONS_GUID;
const OPS: Guid = OPERATIONS_GUID;
const ALL: u32 = 0xFFFF_FFFF;

/// A provider over any store, on the test platform.
type On<S> = Provider<S, TestPlatform>;
/// A provider over a memory store.
type P = On<MemoryStore>;

/// The host's default settings; under Miri a small table, since every scan of the default
/// 4096 buckets costs seconds there (SPEC behaviour does not depend on the capacity beyond the
/// tests that set their own).
fn config() -> AdapterConfig {
    if cfg!(miri) {
        AdapterConfig {
            port_count: 2,
            max_entries: 16,
        }
    } else {
        AdapterConfig::default()
    }
}

fn provider() -> P {
    Provider::start(MemoryStore::new(), config(), test_platform())
        .unwrap()
        .0
}

/// A provider over a [`FaultStore`], and the handle that makes it fail.
fn faulty() -> (On<FaultStore>, FaultHandle) {
    let (store, fault) = FaultStore::new(MemoryStore::new());
    (
        Provider::start(store, config(), test_platform()).unwrap().0,
        fault,
    )
}

fn restart(p: P) -> P {
    let config = p.config();
    Provider::start(p.into_store(), config, test_platform())
        .unwrap()
        .0
}

/// Calls a method with a buffer exactly as long as the input or the OUT, whichever is larger,
/// its bytes past the input dirty (0xa5).
fn call<S: RecordStore>(
    p: &mut On<S>,
    class: Guid,
    method: u32,
    input: &[u8],
) -> (MethodResult, Vec<u8>) {
    let out = out_size(&class, method).unwrap_or(0);
    let len = input.len().max(usize::try_from(out).unwrap());
    let mut buf = vec![0xa5; len];
    buf[..input.len()].copy_from_slice(input);
    let r = p.execute_method(&class, method, &mut buf, len32(input), out);
    (r, buf)
}

/// The length of a test buffer as a WMI size.
fn len32(buffer: &[u8]) -> u32 {
    u32::try_from(buffer.len()).unwrap()
}

/// The ISDSC status of a call the transport accepted.
fn status_of<S: RecordStore>(p: &mut On<S>, class: Guid, method: u32, input: &[u8]) -> IsdscStatus {
    let (r, buf) = call(p, class, method, input);
    assert_eq!(r.status, NtStatus::SUCCESS, "transport status");
    StatusOut::parse(&buf).unwrap().status
}

fn set_psk<S: RecordStore>(
    p: &mut On<S>,
    port: u32,
    flags: u64,
    id_type: u8,
    id: &[u8],
    key: &[u8],
) -> IsdscStatus {
    status_of(p, SEC, 1, &set_psk_in(port, flags, id_type, id, key))
}

fn get_psk<S: RecordStore>(p: &mut On<S>, port: u32, id_type: u8, id: &[u8]) -> (IsdscStatus, u64) {
    let (res, buf) = call(p, SEC, 2, &get_psk_in(port, id_type, id));
    assert_eq!(
        res,
        MethodResult {
            status: NtStatus::SUCCESS,
            used: 16
        }
    );
    assert_eq!(buf[4..8], [0, 0, 0, 0], "padding is written as zero");
    let out = GetPresharedKeyForIdOut::parse(&buf).unwrap();
    (out.status, out.security_flags)
}

fn group<S: RecordStore>(p: &mut On<S>, key: &[u8]) -> IsdscStatus {
    status_of(p, SEC, 3, &group_key_in(key))
}

fn chap<S: RecordStore>(p: &mut On<S>, secret: &[u8]) -> IsdscStatus {
    status_of(p, OPS, 71, &chap_secret_in(secret))
}

fn clear_cache<S: RecordStore>(p: &mut On<S>) -> IsdscStatus {
    status_of(p, SEC, 5, &[])
}

/// Method 4 as WMI sends it (packed).
fn tunnel<S: RecordStore>(
    p: &mut On<S>,
    port: u32,
    dest: &Address,
    outer: &Address,
) -> IsdscStatus {
    status_of(p, SEC, 4, &tunnel_in(Shape::Packed, port, dest, outer))
}

fn fqdn(s: &str) -> Identifier {
    Identifier::parse(2, s.as_bytes()).unwrap()
}

fn look(p: &P, port: PortSelector, id: &Identifier) -> Result<(KeySource, Vec<u8>), LookupMiss> {
    let mut out = KeyBuffer::new();
    let source = p.lookup(port, id, &mut out)?;
    Ok((source, out.expose_secret().to_vec()))
}

fn populated() -> P {
    let mut p = provider();
    set_psk(&mut p, 0, 1, 2, b"port.example", b"port-key");
    set_psk(&mut p, ALL, 3, 2, b"port.example", b"all-key");
    set_psk(&mut p, ALL, 7, 1, &[192, 0, 2, 1], b"v4-key");
    set_psk(
        &mut p,
        1,
        0x41,
        5,
        &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9],
        b"v6-key",
    );
    group(&mut p, b"group-key");
    chap(&mut p, b"chap-secret-123");
    tunnel(
        &mut p,
        0,
        &Address::text("tgt.example"),
        &Address::ipv4([10, 1, 1, 1]),
    );
    status_of(&mut p, SEC, 6, &[3; 16]);
    p
}
