//! The numbers of SPEC §1–§4 the tests speak in: class names, method ids, NTSTATUS and ISDSC
//! codes, identifier types, OUT sizes.
//!
//! ```text
//!   SPEC.md ──► spec (this file) ──► buffers (IN bytes), cli (answers), the test suites
//! ```
//!
//! Written here from SPEC.md, not taken from the core, so that the conformance suite checks the
//! core's values instead of agreeing with them by construction.

/// `MSiSCSI_SecurityConfigOperations`, methods 1–6.
pub const SECURITY_CONFIG: &str = "MSiSCSI_SecurityConfigOperations";
/// `MSiSCSI_Operations`, method 71.
pub const OPERATIONS: &str = "MSiSCSI_Operations";
/// `MSiSCSI_SecurityConfigOperations`'s GUID, Windows text form.
pub const SECURITY_CONFIG_GUID: &str = "391F3325-0BA3-4083-A861-CF4F6F97A527";
/// `MSiSCSI_Operations`'s GUID, Windows text form.
pub const OPERATIONS_GUID: &str = "EA4D82BF-29DA-4E12-800A-E5437964462C";

/// Method ids (SPEC §2).
pub mod method {
    /// SetPresharedKeyForId.
    pub const SET_PSK: u32 = 1;
    /// GetPresharedKeyForId.
    pub const GET_PSK: u32 = 2;
    /// SetGroupPresharedKey.
    pub const SET_GROUP_KEY: u32 = 3;
    /// SetTunnelModeOuterAddress.
    pub const SET_TUNNEL: u32 = 4;
    /// ClearCache.
    pub const CLEAR_CACHE: u32 = 5;
    /// SetGenerationalGuid.
    pub const SET_GUID: u32 = 6;
    /// SetCHAPSharedSecret (Operations class).
    pub const SET_CHAP: u32 = 71;
}

/// NTSTATUS values of SPEC §3.
pub mod nt {
    /// `STATUS_SUCCESS`.
    pub const SUCCESS: u32 = 0x0000_0000;
    /// `STATUS_INVALID_PARAMETER`.
    pub const INVALID_PARAMETER: u32 = 0xC000_000D;
    /// `STATUS_BUFFER_TOO_SMALL`.
    pub const BUFFER_TOO_SMALL: u32 = 0xC000_0023;
    /// `STATUS_WMI_GUID_NOT_FOUND`.
    pub const WMI_GUID_NOT_FOUND: u32 = 0xC000_0295;
    /// `STATUS_WMI_ITEMID_NOT_FOUND`.
    pub const WMI_ITEMID_NOT_FOUND: u32 = 0xC000_0297;
}

/// ISDSC status codes of SPEC §4 (the OUT `Status`).
pub mod isdsc {
    /// Success.
    pub const SUCCESS: u32 = 0;
    /// `ISDSC_NON_SPECIFIC_ERROR`.
    pub const NON_SPECIFIC_ERROR: u32 = 0xEFFF_0001;
    /// `ISDSC_TARGET_PRESHAREDKEY_UNAVAILABLE`.
    pub const TARGET_PRESHAREDKEY_UNAVAILABLE: u32 = 0xEFFF_0027;
    /// `ISDSC_HBA_SECURITY_CACHE_FULL`.
    pub const HBA_SECURITY_CACHE_FULL: u32 = 0xEFFF_002C;
    /// `ISDSC_INVALID_PORT_NUMBER`.
    pub const INVALID_PORT_NUMBER: u32 = 0xEFFF_002D;
    /// `ISDSC_IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED`.
    pub const IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED: u32 = 0xEFFF_0030;
    /// `ISDSC_IKE_ID_PAYLOAD_INCORRECT_SIZE`.
    pub const IKE_ID_PAYLOAD_INCORRECT_SIZE: u32 = 0xEFFF_0031;
    /// `ISDSC_CACHE_CORRUPTED`.
    pub const CACHE_CORRUPTED: u32 = 0xEFFF_0036;
    /// `ISDSC_SHORT_CHAP_SECRET` (a warning).
    pub const SHORT_CHAP_SECRET: u32 = 0xAFFF_0048;
    /// `ISDSC_INVALID_INITIATOR_CHAP_SECRET`.
    pub const INVALID_INITIATOR_CHAP_SECRET: u32 = 0xEFFF_004C;
    /// `ISDSC_INVALID_PARAMETER`.
    pub const INVALID_PARAMETER: u32 = 0xEFFF_0056;
}

/// IKE identifier types (RFC 2407).
pub mod id_type {
    /// `ID_IPV4_ADDR`.
    pub const IPV4: u8 = 1;
    /// `ID_FQDN`.
    pub const FQDN: u8 = 2;
    /// `ID_USER_FQDN`.
    pub const USER_FQDN: u8 = 3;
    /// `ID_IPV6_ADDR`.
    pub const IPV6: u8 = 5;
}

/// `PortNumber` meaning every port.
pub const ALL_PORTS: u32 = 0xFFFF_FFFF;

/// The OUT size of every method but GetPresharedKeyForId.
pub const STATUS_OUT_LEN: u32 = 4;
/// The OUT size of GetPresharedKeyForId.
pub const GET_PSK_OUT_LEN: u32 = 16;
