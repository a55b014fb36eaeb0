//! The IN buffer of every method, built with the wire module's emitters: what the core's unit
//! and property tests and the fuzz seeds send.
//!
//! ```text
//!   test, proptest, fuzz seed ──► buffers (this file) ──► wire::*::emit ──► Vec<u8>
//! ```
//!
//! One encoder: no test lays out a method buffer by hand. The wire files' own tests check the
//! emitters against byte arrays from the C side, and the conformance suite
//! (`tests/tests/conformance`) builds its buffers byte by byte from SPEC §2, so the layouts are
//! also checked by code that shares nothing with this file.

#![allow(
    clippy::expect_used,
    reason = "fixtures: an emitter refusing a buffer sized by its own buffer_len is a broken \
              test, reported by panicking"
)]

use alloc::vec;
use alloc::vec::Vec;

use crate::consts::ip_address_type;
use crate::wire::set_tunnel_mode_outer_address::Shape;
use crate::wire::{
    GetPresharedKeyForIdIn, IscsiIpAddress, SetChapSharedSecretIn, SetGroupPresharedKeyIn,
    SetPresharedKeyForIdIn, SetTunnelModeOuterAddressIn, WireError,
};

/// `SetPresharedKeyForId_IN` (method 1): an empty `key` removes the entry.
#[must_use]
pub fn set_psk_in(port: u32, flags: u64, id_type: u8, id: &[u8], key: &[u8]) -> Vec<u8> {
    let r = SetPresharedKeyForIdIn {
        port_number: port,
        security_flags: flags,
        id_type,
        id,
        key,
    };
    emitted(r.buffer_len(), |buf| r.emit(buf))
}

/// `GetPresharedKeyForId_IN` (method 2).
#[must_use]
pub fn get_psk_in(port: u32, id_type: u8, id: &[u8]) -> Vec<u8> {
    let r = GetPresharedKeyForIdIn {
        port_number: port,
        id_type,
        id,
    };
    emitted(r.buffer_len(), |buf| r.emit(buf))
}

/// `SetGroupPresharedKey_IN` (method 3): an empty `key` clears the group key.
#[must_use]
pub fn group_key_in(key: &[u8]) -> Vec<u8> {
    let r = SetGroupPresharedKeyIn { key };
    emitted(r.buffer_len(), |buf| r.emit(buf))
}

/// `SetCHAPSharedSecret_IN` (method 71): an empty `secret` clears it.
#[must_use]
pub fn chap_secret_in(secret: &[u8]) -> Vec<u8> {
    let r = SetChapSharedSecretIn {
        shared_secret: secret,
    };
    emitted(r.buffer_len(), |buf| r.emit(buf))
}

/// `SetTunnelModeOuterAddress_IN` (method 4) in `shape`: [`Shape::Packed`] as WMI marshals it,
/// [`Shape::FixedStride`] as a C caller fills the header's structs. An EMPTY `outer` removes
/// the mapping.
#[must_use]
pub fn tunnel_in(shape: Shape, port: u32, destination: &Address, outer: &Address) -> Vec<u8> {
    let mut r = SetTunnelModeOuterAddressIn::new(port, destination.view(), outer.view());
    r.shape = shape;
    emitted(r.buffer_len(), |buf| r.emit(buf))
}

/// An `ISCSI_IP_Address` that owns its `TextAddress` bytes, to build method 4's buffers from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// `Type` (`ISCSIIPADDRESSTYPE`), any value: 4 and above are invalid on purpose.
    pub address_type: u32,
    /// `IpV4Address`.
    pub ipv4_address: [u8; 4],
    /// `IpV6Address`.
    pub ipv6_address: [u8; 16],
    /// `IpV6FlowInfo`.
    pub ipv6_flow_info: u32,
    /// `IpV6ScopeId`.
    pub ipv6_scope_id: u32,
    /// `TextAddress` exactly as sent: its length is `L`, odd or oversized if a test wants.
    pub text_address: Vec<u8>,
}

impl Address {
    /// A text address (type 0): `text` as UTF-16LE, no NUL.
    #[must_use]
    pub fn text(text: &str) -> Address {
        Address::raw(ip_address_type::TEXT, &utf16(text))
    }

    /// An address of any type carrying exactly these `TextAddress` bytes.
    #[must_use]
    pub fn raw(address_type: u32, text_address: &[u8]) -> Address {
        Address::from(IscsiIpAddress {
            text_address,
            ..IscsiIpAddress::zeroed(address_type)
        })
    }

    /// An IPv4 address (type 1), no text.
    #[must_use]
    pub fn ipv4(address: [u8; 4]) -> Address {
        Address {
            ipv4_address: address,
            ..Address::raw(ip_address_type::IPV4, &[])
        }
    }

    /// An IPv6 address (type 2) with its flow info and scope id, no text.
    #[must_use]
    pub fn ipv6(address: [u8; 16], flow_info: u32, scope_id: u32) -> Address {
        Address {
            ipv6_address: address,
            ipv6_flow_info: flow_info,
            ipv6_scope_id: scope_id,
            ..Address::raw(ip_address_type::IPV6, &[])
        }
    }

    /// The EMPTY address (type 3): as an outer address it removes a mapping.
    #[must_use]
    pub fn empty() -> Address {
        Address::raw(ip_address_type::EMPTY, &[])
    }

    /// The same address with its text NUL-padded to `len` bytes, `L` = `len`: what a C caller
    /// filling the header's struct sends (`L` = 512 whatever the text).
    #[must_use]
    pub fn padded(mut self, len: usize) -> Address {
        self.text_address.resize(len, 0);
        self
    }

    /// The wire view of this address.
    #[must_use]
    pub fn view(&self) -> IscsiIpAddress<'_> {
        IscsiIpAddress {
            address_type: self.address_type,
            ipv4_address: self.ipv4_address,
            ipv6_address: self.ipv6_address,
            ipv6_flow_info: self.ipv6_flow_info,
            ipv6_scope_id: self.ipv6_scope_id,
            text_address: &self.text_address,
        }
    }
}

impl From<IscsiIpAddress<'_>> for Address {
    /// An owned copy of a wire view.
    fn from(a: IscsiIpAddress<'_>) -> Address {
        Address {
            address_type: a.address_type,
            ipv4_address: a.ipv4_address,
            ipv6_address: a.ipv6_address,
            ipv6_flow_info: a.ipv6_flow_info,
            ipv6_scope_id: a.ipv6_scope_id,
            text_address: a.text_address.to_vec(),
        }
    }
}

/// The bytes a wire struct emits into a buffer of its own `buffer_len`.
fn emitted(len: usize, emit: impl FnOnce(&mut [u8]) -> Result<(), WireError>) -> Vec<u8> {
    let mut buf = vec![0; len];
    emit(&mut buf).expect("sized by buffer_len");
    buf
}

/// The UTF-16LE bytes of `text`, as a `TextAddress` carries them.
#[must_use]
pub fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}
