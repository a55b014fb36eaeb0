//! WMI method calls made in-process on a core `Provider`, as the driver's ExecuteMethod makes
//! them: the IN bytes in one buffer with room for the OUT, the OUT read back by hand.
//!
//! ```text
//!   workload: [Call { what, class, method, input: buffers::* }] ──► Call::execute (this file)
//!        ──► Provider::execute_method(class, method, buffer, InBufferSize, OutBufferSize)
//!        ◄── OUT Status (and GetPresharedKeyForId's SecurityFlags), or a transport refusal
//! ```
//!
//! For the suites that drive the core without a process (durability, allocation failure,
//! stress), with [`workload`], the calls they share. The OUT is read with [`u32_le`], not with the core's wire code, for the same reason
//! the IN buffers are built by hand.

use iscsisec_core::{Guid, IsdscStatus, MethodResult, Platform, Provider, RecordStore};

use crate::buffers::{Addr, get_psk_in, set_psk_in, sized_in, tunnel_in, u32_le};
use crate::spec::{
    ALL_PORTS, GET_PSK_OUT_LEN, OPERATIONS_GUID, SECURITY_CONFIG_GUID, STATUS_OUT_LEN, id_type,
    method,
};

/// One WMI method call of a workload.
#[derive(Debug, Clone)]
pub struct Call {
    /// What the call does, for messages.
    pub what: &'static str,
    /// The class.
    pub class: Guid,
    /// The method id.
    pub method: u32,
    /// The IN buffer; InBufferSize is its length.
    pub input: Vec<u8>,
}

impl Call {
    /// A method of `MSiSCSI_SecurityConfigOperations`.
    ///
    /// # Panics
    ///
    /// Never: the class GUID is a constant the core parses.
    #[must_use]
    pub fn security_config(what: &'static str, method: u32, input: Vec<u8>) -> Call {
        Call {
            what,
            class: guid(SECURITY_CONFIG_GUID),
            method,
            input,
        }
    }

    /// SetCHAPSharedSecret, method 71 of `MSiSCSI_Operations`.
    ///
    /// # Panics
    ///
    /// Never: the class GUID is a constant the core parses.
    #[must_use]
    pub fn set_chap(what: &'static str, input: Vec<u8>) -> Call {
        Call {
            what,
            class: guid(OPERATIONS_GUID),
            method: method::SET_CHAP,
            input,
        }
    }

    /// OutBufferSize: the method's OUT size (16 for GetPresharedKeyForId, else 4).
    #[must_use]
    pub fn out_len(&self) -> u32 {
        if self.class == guid(SECURITY_CONFIG_GUID) && self.method == method::GET_PSK {
            GET_PSK_OUT_LEN
        } else {
            STATUS_OUT_LEN
        }
    }

    /// Makes the call on `p`: the OUT `Status` and, for GetPresharedKeyForId, its
    /// `SecurityFlags` (else 0); `None` when the transport refused the call.
    pub fn execute<S: RecordStore, P: Platform>(
        &self,
        p: &mut Provider<S, P>,
    ) -> Option<(IsdscStatus, u64)> {
        self.execute_within(p, |call| call())
    }

    /// As [`Call::execute`], with only the core's `execute_method` run inside `within` (an
    /// allocation-counting section, say): the buffer is made before and the OUT read after.
    ///
    /// # Panics
    ///
    /// If the IN buffer is longer than a `u32` can say.
    pub fn execute_within<S: RecordStore, P: Platform>(
        &self,
        p: &mut Provider<S, P>,
        within: impl FnOnce(&mut dyn FnMut() -> MethodResult) -> MethodResult,
    ) -> Option<(IsdscStatus, u64)> {
        let out_len = self.out_len();
        let mut buf = self.input.clone();
        buf.resize(buf.len().max(out_len as usize), 0);
        let in_size = u32::try_from(self.input.len()).expect("a test IN buffer fits a u32");
        let r =
            within(&mut || p.execute_method(&self.class, self.method, &mut buf, in_size, out_len));
        if !r.status.is_success() {
            return None;
        }
        let flags = if out_len == GET_PSK_OUT_LEN {
            u64::from(u32_le(&buf, 8)) | (u64::from(u32_le(&buf, 12)) << 32)
        } else {
            0
        };
        Some((IsdscStatus(u32_le(&buf, 0)), flags))
    }
}

/// Every method, every kind of change (new, replace, remove, remove absent, a refused call,
/// a ClearCache of many records), on every kind of record: the workload of the durability and
/// allocation-failure suites.
#[must_use]
pub fn workload() -> Vec<Call> {
    let sec = Call::security_config;
    let f = id_type::FQDN;
    vec![
        sec(
            "new port key",
            method::SET_PSK,
            set_psk_in(0, 0x05, f, b"a.example", b"a-port-1"),
        ),
        sec(
            "new all-ports key",
            method::SET_PSK,
            set_psk_in(ALL_PORTS, 0x09, f, b"a.example", b"a-all-1"),
        ),
        sec(
            "new IPv4 key",
            method::SET_PSK,
            set_psk_in(1, 0x07, id_type::IPV4, &[192, 0, 2, 9], b"v4-1"),
        ),
        sec("new group key", method::SET_GROUP_KEY, sized_in(b"group-1")),
        Call::set_chap("new CHAP secret", sized_in(b"chap-secret-1234")),
        sec(
            "new tunnel",
            method::SET_TUNNEL,
            tunnel_in(0, &Addr::V4([198, 51, 100, 1]), &Addr::V4([203, 0, 113, 1])),
        ),
        sec("new GUID", method::SET_GUID, vec![0x11; 16]),
        sec("get", method::GET_PSK, get_psk_in(0, f, b"a.example")),
        sec(
            "refused: bad port",
            method::SET_PSK,
            set_psk_in(7, 1, f, b"b.example", b"nope"),
        ),
        sec(
            "replace port key",
            method::SET_PSK,
            set_psk_in(0, 0x0D, f, b"a.example", b"a-port-2-longer"),
        ),
        sec(
            "replace group key",
            method::SET_GROUP_KEY,
            sized_in(b"group-2"),
        ),
        Call::set_chap("short CHAP secret (warning)", sized_in(b"short")),
        sec(
            "replace tunnel",
            method::SET_TUNNEL,
            tunnel_in(0, &Addr::V4([198, 51, 100, 1]), &Addr::V4([203, 0, 113, 2])),
        ),
        sec("replace GUID", method::SET_GUID, vec![0x22; 16]),
        sec(
            "remove port key",
            method::SET_PSK,
            set_psk_in(0, 0, f, b"a.example", b""),
        ),
        sec(
            "remove absent key",
            method::SET_PSK,
            set_psk_in(1, 0, f, b"never.example", b""),
        ),
        sec(
            "new port key again",
            method::SET_PSK,
            set_psk_in(0, 0x05, f, b"a.example", b"a-port-3"),
        ),
        sec(
            "new user-fqdn key",
            method::SET_PSK,
            set_psk_in(1, 0x01, id_type::USER_FQDN, b"u@example", b"user-1"),
        ),
        sec("ClearCache", method::CLEAR_CACHE, Vec::new()),
        sec(
            "new group key after clear",
            method::SET_GROUP_KEY,
            sized_in(b"group-3"),
        ),
        sec(
            "remove tunnel",
            method::SET_TUNNEL,
            tunnel_in(0, &Addr::V4([198, 51, 100, 1]), &Addr::Empty),
        ),
        Call::set_chap("clear CHAP secret", sized_in(b"")),
        sec("clear group key", method::SET_GROUP_KEY, sized_in(b"")),
    ]
}

fn guid(text: &str) -> Guid {
    Guid::parse(text).expect("a class GUID of SPEC §1")
}
