//! Constants of the Windows iSCSI WMI interface: class GUIDs, method ids, flag bits,
//! identifier and address types.
//!
//! Values come from the generated `iscsiop.h` and `iscsidef.h` (see
//! `shared/reference/msiscsi-wmi.md`). The types they are values of live in [`crate::guid`]
//! and [`crate::status`].

use crate::guid::Guid;

/// `MSiSCSI_SecurityConfigOperations` {391F3325-0BA3-4083-A861-CF4F6F97A527}.
pub const SECURITY_CONFIG_OPERATIONS_GUID: Guid = Guid {
    data1: 0x391f_3325,
    data2: 0x0ba3,
    data3: 0x4083,
    data4: [0xa8, 0x61, 0xcf, 0x4f, 0x6f, 0x97, 0xa5, 0x27],
};

/// `MSiSCSI_Operations` {EA4D82BF-29DA-4E12-800A-E5437964462C}.
pub const OPERATIONS_GUID: Guid = Guid {
    data1: 0xea4d_82bf,
    data2: 0x29da,
    data3: 0x4e12,
    data4: [0x80, 0x0a, 0xe5, 0x43, 0x79, 0x64, 0x46, 0x2c],
};

/// The classes served, by their MOF names (SPEC §1).
pub const CLASSES: [(&str, Guid); 2] = [
    (
        "MSiSCSI_SecurityConfigOperations",
        SECURITY_CONFIG_OPERATIONS_GUID,
    ),
    ("MSiSCSI_Operations", OPERATIONS_GUID),
];

/// The GUID of a served class by its MOF name, compared without regard to ASCII case.
#[must_use]
pub fn class_by_name(name: &str) -> Option<Guid> {
    CLASSES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, g)| g)
}

/// WMI method ids (`WmiMethodId`), as `#define`d in `iscsiop.h`.
pub mod method {
    /// `MSiSCSI_SecurityConfigOperations.SetPresharedKeyForId`.
    pub const SET_PRESHARED_KEY_FOR_ID: u32 = 1;
    /// `MSiSCSI_SecurityConfigOperations.GetPresharedKeyForId`.
    pub const GET_PRESHARED_KEY_FOR_ID: u32 = 2;
    /// `MSiSCSI_SecurityConfigOperations.SetGroupPresharedKey`.
    pub const SET_GROUP_PRESHARED_KEY: u32 = 3;
    /// `MSiSCSI_SecurityConfigOperations.SetTunnelModeOuterAddress`.
    pub const SET_TUNNEL_MODE_OUTER_ADDRESS: u32 = 4;
    /// `MSiSCSI_SecurityConfigOperations.ClearCache`.
    pub const CLEAR_CACHE: u32 = 5;
    /// `MSiSCSI_SecurityConfigOperations.SetGenerationalGuid`.
    pub const SET_GENERATIONAL_GUID: u32 = 6;
    /// `MSiSCSI_Operations.SetCHAPSharedSecret`.
    pub const SET_CHAP_SHARED_SECRET: u32 = 71;
}

/// `ISCSI_SECURITY_FLAGS` bits (`iscsidef.h`).
pub mod security_flag {
    /// `ISCSI_SECURITY_FLAG_VALID`: the other bits are meaningful.
    pub const VALID: u64 = 0x01;
    /// `ISCSI_SECURITY_FLAG_IKE_IPSEC_ENABLED`.
    pub const IKE_IPSEC_ENABLED: u64 = 0x02;
    /// `ISCSI_SECURITY_FLAG_MAIN_MODE_ENABLED`.
    pub const MAIN_MODE_ENABLED: u64 = 0x04;
    /// `ISCSI_SECURITY_FLAG_AGGRESSIVE_MODE_ENABLED`.
    pub const AGGRESSIVE_MODE_ENABLED: u64 = 0x08;
    /// `ISCSI_SECURITY_FLAG_PFS_ENABLED`.
    pub const PFS_ENABLED: u64 = 0x10;
    /// `ISCSI_SECURITY_FLAG_TRANSPORT_MODE_PREFERRED`.
    pub const TRANSPORT_MODE_PREFERRED: u64 = 0x20;
    /// `ISCSI_SECURITY_FLAG_TUNNEL_MODE_PREFERRED`.
    pub const TUNNEL_MODE_PREFERRED: u64 = 0x40;
    /// Every defined bit.
    pub const DEFINED: u64 = 0x7F;
}

/// IKE identification payload types (RFC 2407 §4.6.2.1; the four `iscsiop.h` defines).
pub mod id_type {
    /// `ID_IPV4_ADDR`: four bytes, network order.
    pub const IPV4_ADDR: u8 = 1;
    /// `ID_FQDN`: a host name.
    pub const FQDN: u8 = 2;
    /// `ID_USER_FQDN`: `user@host`.
    pub const USER_FQDN: u8 = 3;
    /// `ID_IPV6_ADDR`: sixteen bytes, network order.
    pub const IPV6_ADDR: u8 = 5;
}

/// `ISCSIIPADDRESSTYPE` values (`iscsidef.h`).
pub mod ip_address_type {
    /// `ISCSI_IP_ADDRESS_TEXT`: a DNS name or text address in `TextAddress`.
    pub const TEXT: u32 = 0;
    /// `ISCSI_IP_ADDRESS_IPV4`.
    pub const IPV4: u32 = 1;
    /// `ISCSI_IP_ADDRESS_IPV6`.
    pub const IPV6: u32 = 2;
    /// `ISCSI_IP_ADDRESS_EMPTY`.
    pub const EMPTY: u32 = 3;
}

/// The "all ports" port number (`ISCSI_ALL_INITIATOR_PORTS`).
pub const ALL_PORTS: u32 = 0xFFFF_FFFF;
