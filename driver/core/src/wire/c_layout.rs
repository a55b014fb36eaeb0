//! Compile-time proof that the `field` ranges match the C layout of `iscsiop.h`/`iscsidef.h`.
//!
//! Each struct below mirrors a generated C struct field for field, with `#[repr(C)]`, which
//! lays out like MSVC for x64 and ARM64 (natural alignment, `ULONGLONG` on 8). The trailing
//! `[u8; 1]` stands for the C `UCHAR Id[1]`-style variable array. The asserts compare
//! `offset_of!` and `size_of` with the offsets the wire files use, so a wrong range does not
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

const _: () = {
    assert!(offset_of!(SetPresharedKeyForIdIn, port_number) == set::offsets::PORT_NUMBER);
    assert!(offset_of!(SetPresharedKeyForIdIn, security_flags) == set::offsets::SECURITY_FLAGS);
    assert!(offset_of!(SetPresharedKeyForIdIn, id_type) == set::offsets::ID_TYPE);
    assert!(offset_of!(SetPresharedKeyForIdIn, id_size) == set::offsets::ID_SIZE);
    assert!(offset_of!(SetPresharedKeyForIdIn, key_size) == set::offsets::KEY_SIZE);
    assert!(offset_of!(SetPresharedKeyForIdIn, id) == set::offsets::ID);
    assert!(set::FIXED_LEN == 28);

    assert!(offset_of!(GetPresharedKeyForIdIn, port_number) == get::offsets::PORT_NUMBER);
    assert!(offset_of!(GetPresharedKeyForIdIn, id_type) == get::offsets::ID_TYPE);
    assert!(offset_of!(GetPresharedKeyForIdIn, id_size) == get::offsets::ID_SIZE);
    assert!(offset_of!(GetPresharedKeyForIdIn, id) == get::offsets::ID);
    assert!(get::FIXED_LEN == 12);
    assert!(offset_of!(GetPresharedKeyForIdOut, status) == get::offsets::OUT_STATUS);
    assert!(
        offset_of!(GetPresharedKeyForIdOut, security_flags) == get::offsets::OUT_SECURITY_FLAGS
    );
    assert!(size_of::<GetPresharedKeyForIdOut>() == get::OUT_LEN);
    assert!(get::OUT_LEN == 16);

    assert!(offset_of!(SetGroupPresharedKeyIn, key_size) == group::offsets::KEY_SIZE);
    assert!(offset_of!(SetGroupPresharedKeyIn, key) == group::offsets::KEY);
    assert!(group::FIXED_LEN == 4);

    assert!(offset_of!(IscsiIpAddress, address_type) == ip::offsets::TYPE);
    assert!(offset_of!(IscsiIpAddress, ipv4_address) == ip::offsets::IPV4_ADDRESS);
    assert!(offset_of!(IscsiIpAddress, ipv6_address) == ip::offsets::IPV6_ADDRESS);
    assert!(offset_of!(IscsiIpAddress, ipv6_flow_info) == ip::offsets::IPV6_FLOW_INFO);
    assert!(offset_of!(IscsiIpAddress, ipv6_scope_id) == ip::offsets::IPV6_SCOPE_ID);
    // Both shapes: the length is the C array's first element, the text its other 256.
    assert!(offset_of!(IscsiIpAddress, text_address) == ip::offsets::TEXT_ADDRESS_LENGTH);
    assert!(offset_of!(IscsiIpAddress, text_address) == ip::offsets::TEXT_ADDRESS - 2);
    assert!(ip::HEADER_LEN == ip::offsets::TEXT_ADDRESS);
    assert!(size_of::<[u16; 257]>() == 2 + ip::MAX_TEXT_ADDRESS_LEN);
    // Fixed stride only: the C struct's size, room for 256 units and two bytes of padding.
    assert!(size_of::<IscsiIpAddress>() == ip::C_LEN);
    assert!(ip::C_LEN == 548);

    // Both shapes: the port, the destination, and the fixed part up to the destination's text.
    assert!(offset_of!(SetTunnelModeOuterAddressIn, port_number) == tunnel::offsets::PORT_NUMBER);
    assert!(
        offset_of!(SetTunnelModeOuterAddressIn, destination_address)
            == tunnel::offsets::DESTINATION_ADDRESS
    );
    assert!(
        offset_of!(SetTunnelModeOuterAddressIn, destination_address)
            == tunnel::FIXED_LEN - ip::offsets::TEXT_ADDRESS
    );
    assert!(tunnel::FIXED_LEN == 38);
    // Fixed stride only: the outer address at 552 and the struct's 1100 bytes.
    assert!(
        offset_of!(SetTunnelModeOuterAddressIn, tunnel_mode_outer_address)
            == tunnel::FIXED_STRIDE_OUTER_ADDRESS
    );
    assert!(size_of::<SetTunnelModeOuterAddressIn>() == tunnel::FIXED_STRIDE_LEN);
    assert!(tunnel::FIXED_STRIDE_LEN == 1100);

    assert!(
        offset_of!(SetGenerationalGuidIn, generational_guid) == guid::offsets::GENERATIONAL_GUID
    );
    assert!(size_of::<SetGenerationalGuidIn>() == guid::FIXED_LEN);

    assert!(
        offset_of!(SetChapSharedSecretIn, shared_secret_size) == chap::offsets::SHARED_SECRET_SIZE
    );
    assert!(offset_of!(SetChapSharedSecretIn, shared_secret) == chap::offsets::SHARED_SECRET);
    assert!(chap::FIXED_LEN == 4);

    assert!(size_of::<StatusOut>() == status_out::STATUS_OUT_LEN);
};
