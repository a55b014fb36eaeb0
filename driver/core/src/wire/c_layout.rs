//! Compile-time proof that the `field` ranges match the C layout of `iscsiop.h`/`iscsidef.h`.
//!
//! Each struct below mirrors a generated C struct field for field, with `#[repr(C)]`, which
//! lays out like MSVC for x64 and ARM64 (natural alignment, `ULONGLONG` on 8). The trailing
//! `[u8; 1]` stands for the C `UCHAR Id[1]`-style variable array. Each wire file's `field`
//! module is its one layout table; the asserts compare every entry with `offset_of!` and the
//! member's size (a range must cover exactly the C member's bytes), so a wrong range does not
//! compile. Nothing here is used at run time.
//!
//! `ISCSI_IP_Address` and `SetTunnelModeOuterAddress_IN` are mirrored as the header declares
//! them, with `WCHAR TextAddress[256 + 1]`: the first element is the counted string's length
//! and the text follows it. Their offsets up to the destination's text hold in both shapes of
//! method 4; their sizes (548, 1100) and the outer address's offset (552) hold **only for the
//! fixed stride** (the padded form a C caller fills). WMI's packed form puts the outer address
//! at `align4(38 + L1)`, which no C struct can express (`set_tunnel_mode_outer_address` tests
//! it with byte vectors).

use core::mem::{offset_of, size_of};

use super::{
    get_preshared_key_for_id as get, ip_address as ip, set_chap_shared_secret as chap,
    set_generational_guid as guid, set_group_preshared_key as group,
    set_preshared_key_for_id as set, set_tunnel_mode_outer_address as tunnel, status_out,
};

#[repr(C)]
struct SetPresharedKeyForIdIn {
    port_number: u32,
    security_flags: u64,
    id_type: u8,
    id_size: u32,
    key_size: u32,
    id: [u8; 1],
}

#[repr(C)]
struct GetPresharedKeyForIdIn {
    port_number: u32,
    id_type: u8,
    id_size: u32,
    id: [u8; 1],
}

#[repr(C)]
struct GetPresharedKeyForIdOut {
    status: u32,
    security_flags: u64,
}

#[repr(C)]
struct SetGroupPresharedKeyIn {
    key_size: u32,
    key: [u8; 1],
}

#[repr(C)]
struct IscsiIpAddress {
    address_type: u32,
    ipv4_address: u32,
    ipv6_address: [u8; 16],
    ipv6_flow_info: u32,
    ipv6_scope_id: u32,
    text_address: [u16; 257],
}

#[repr(C)]
struct SetTunnelModeOuterAddressIn {
    port_number: u32,
    destination_address: IscsiIpAddress,
    tunnel_mode_outer_address: IscsiIpAddress,
}

#[repr(C)]
struct SetGenerationalGuidIn {
    generational_guid: [u8; 16],
}

#[repr(C)]
struct SetChapSharedSecretIn {
    shared_secret_size: u32,
    shared_secret: [u8; 1],
}

#[repr(C)]
struct StatusOut {
    status: u32,
}

/// Size of the member `$m` of the struct `$s`, in a const context.
macro_rules! member_size {
    ($s:ty, $m:ident) => {{
        const fn size<S, M>(_: fn(&S) -> &M) -> usize {
            size_of::<M>()
        }
        size::<$s, _>(|s: &$s| &s.$m)
    }};
}

/// Asserts that the `field` entry `$f` is exactly where the C struct `$s` puts its member `$m`:
/// a range covers the member's bytes, a single offset (a `UCHAR`, or the start of a trailing
/// array) is its start.
macro_rules! at {
    ($s:ty, $m:ident, range $f:expr) => {
        assert!(offset_of!($s, $m) == $f.start && $f.end - $f.start == member_size!($s, $m));
    };
    ($s:ty, $m:ident, offset $f:expr) => {
        assert!(offset_of!($s, $m) == $f);
    };
}

const _: () = {
    at!(SetPresharedKeyForIdIn, port_number, range set::field::PORT_NUMBER);
    at!(SetPresharedKeyForIdIn, security_flags, range set::field::SECURITY_FLAGS);
    at!(SetPresharedKeyForIdIn, id_type, offset set::field::ID_TYPE);
    assert!(member_size!(SetPresharedKeyForIdIn, id_type) == 1);
    at!(SetPresharedKeyForIdIn, id_size, range set::field::ID_SIZE);
    at!(SetPresharedKeyForIdIn, key_size, range set::field::KEY_SIZE);
    at!(SetPresharedKeyForIdIn, id, offset set::field::ID);
    assert!(set::FIXED_LEN == 28);

    at!(GetPresharedKeyForIdIn, port_number, range get::field::PORT_NUMBER);
    at!(GetPresharedKeyForIdIn, id_type, offset get::field::ID_TYPE);
    assert!(member_size!(GetPresharedKeyForIdIn, id_type) == 1);
    at!(GetPresharedKeyForIdIn, id_size, range get::field::ID_SIZE);
    at!(GetPresharedKeyForIdIn, id, offset get::field::ID);
    assert!(get::FIXED_LEN == 12);
    at!(GetPresharedKeyForIdOut, status, range get::field::OUT_STATUS);
    at!(GetPresharedKeyForIdOut, security_flags, range get::field::OUT_SECURITY_FLAGS);
    assert!(size_of::<GetPresharedKeyForIdOut>() == get::OUT_LEN);
    assert!(get::OUT_LEN == 16);

    at!(SetGroupPresharedKeyIn, key_size, range group::field::KEY_SIZE);
    at!(SetGroupPresharedKeyIn, key, offset group::field::KEY);
    assert!(group::FIXED_LEN == 4);

    at!(IscsiIpAddress, address_type, range ip::field::TYPE);
    at!(IscsiIpAddress, ipv4_address, range ip::field::IPV4_ADDRESS);
    at!(IscsiIpAddress, ipv6_address, range ip::field::IPV6_ADDRESS);
    at!(IscsiIpAddress, ipv6_flow_info, range ip::field::IPV6_FLOW_INFO);
    at!(IscsiIpAddress, ipv6_scope_id, range ip::field::IPV6_SCOPE_ID);
    // Both shapes: the length is the C array's first element, the text its other 256.
    at!(IscsiIpAddress, text_address, offset ip::field::TEXT_ADDRESS_LENGTH.start);
    assert!(ip::field::TEXT_ADDRESS_LENGTH.end - ip::field::TEXT_ADDRESS_LENGTH.start == 2);
    assert!(ip::HEADER_LEN == ip::field::TEXT_ADDRESS_LENGTH.end);
    assert!(member_size!(IscsiIpAddress, text_address) == 2 + ip::MAX_TEXT_ADDRESS_LEN);
    // Fixed stride only: the C struct's size, room for 256 units and two bytes of padding.
    assert!(size_of::<IscsiIpAddress>() == ip::C_LEN);
    assert!(ip::C_LEN == 548);

    // Both shapes: the port, the destination, and the fixed part up to the destination's text.
    at!(SetTunnelModeOuterAddressIn, port_number, range tunnel::field::PORT_NUMBER);
    at!(SetTunnelModeOuterAddressIn, destination_address, offset tunnel::field::DESTINATION_ADDRESS);
    assert!(tunnel::FIXED_LEN == tunnel::field::DESTINATION_ADDRESS + ip::HEADER_LEN);
    assert!(tunnel::FIXED_LEN == 38);
    // Fixed stride only: the outer address at 552 and the struct's 1100 bytes.
    at!(SetTunnelModeOuterAddressIn, tunnel_mode_outer_address, offset tunnel::FIXED_STRIDE_OUTER_ADDRESS);
    assert!(tunnel::FIXED_STRIDE_OUTER_ADDRESS == 552);
    assert!(size_of::<SetTunnelModeOuterAddressIn>() == tunnel::FIXED_STRIDE_LEN);
    assert!(tunnel::FIXED_STRIDE_LEN == 1100);

    at!(SetGenerationalGuidIn, generational_guid, range guid::field::GENERATIONAL_GUID);
    assert!(size_of::<SetGenerationalGuidIn>() == guid::FIXED_LEN);

    at!(SetChapSharedSecretIn, shared_secret_size, range chap::field::SHARED_SECRET_SIZE);
    at!(SetChapSharedSecretIn, shared_secret, offset chap::field::SHARED_SECRET);
    assert!(chap::FIXED_LEN == 4);

    at!(StatusOut, status, range status_out::field::STATUS);
    assert!(size_of::<StatusOut>() == status_out::STATUS_OUT_LEN);
};
