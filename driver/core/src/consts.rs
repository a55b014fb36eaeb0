//! Constants of the Windows iSCSI WMI interface: class GUIDs, method ids, status codes.
//!
//! Values come from the generated `iscsiop.h`, `iscsierr.h` and `iscsidef.h` (see
//! `shared/reference/msiscsi-wmi.md`), and from `ntstatus.h` for the NTSTATUS values.

use core::fmt;

/// A Windows GUID in its in-memory (C `GUID`) shape.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid {
    /// First group, stored little-endian in memory.
    pub data1: u32,
    /// Second group, stored little-endian in memory.
    pub data2: u16,
    /// Third group, stored little-endian in memory.
    pub data3: u16,
    /// Last eight bytes, in order.
    pub data4: [u8; 8],
}

impl Guid {
    /// The all-zero GUID (`GUID_NULL`).
    pub const NULL: Guid = Guid::from_bytes_le([0; 16]);

    /// Reads the 16 bytes of a C `GUID` as laid out in memory (first three groups
    /// little-endian), as a WMI buffer carries it.
    #[must_use]
    pub const fn from_bytes_le(b: [u8; 16]) -> Guid {
        let [
            a0,
            a1,
            a2,
            a3,
            b0,
            b1,
            c0,
            c1,
            d0,
            d1,
            d2,
            d3,
            d4,
            d5,
            d6,
            d7,
        ] = b;
        Guid {
            data1: u32::from_le_bytes([a0, a1, a2, a3]),
            data2: u16::from_le_bytes([b0, b1]),
            data3: u16::from_le_bytes([c0, c1]),
            data4: [d0, d1, d2, d3, d4, d5, d6, d7],
        }
    }

    /// The 16 bytes of this GUID as a C `GUID` lays them out in memory.
    #[must_use]
    pub const fn to_bytes_le(&self) -> [u8; 16] {
        let [a0, a1, a2, a3] = self.data1.to_le_bytes();
        let [b0, b1] = self.data2.to_le_bytes();
        let [c0, c1] = self.data3.to_le_bytes();
        let [d0, d1, d2, d3, d4, d5, d6, d7] = self.data4;
        [
            a0, a1, a2, a3, b0, b1, c0, c1, d0, d1, d2, d3, d4, d5, d6, d7,
        ]
    }

    /// Parses the Windows text form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, with or without
    /// braces, in any case.
    ///
    /// # Errors
    ///
    /// `None` if the text is not a GUID in that form.
    #[must_use]
    pub fn parse(text: &str) -> Option<Guid> {
        let inner = match text.strip_prefix('{') {
            Some(rest) => rest.strip_suffix('}')?,
            None => text,
        };
        let mut groups = inner.split('-');
        let mut next = |len: usize| -> Option<u64> {
            let g = groups.next()?;
            if g.len() != len || !g.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            u64::from_str_radix(g, 16).ok()
        };
        let data1 = u32::try_from(next(8)?).ok()?;
        let data2 = u16::try_from(next(4)?).ok()?;
        let data3 = u16::try_from(next(4)?).ok()?;
        let d4a = u16::try_from(next(4)?).ok()?;
        let d4b = next(12)?;
        if groups.next().is_some() {
            return None;
        }
        let [h0, h1] = d4a.to_be_bytes();
        let [_, _, t0, t1, t2, t3, t4, t5] = d4b.to_be_bytes();
        Some(Guid {
            data1,
            data2,
            data3,
            data4: [h0, h1, t0, t1, t2, t3, t4, t5],
        })
    }
}

impl fmt::Display for Guid {
    /// Upper-case Windows text form without braces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [d0, d1, d2, d3, d4, d5, d6, d7] = self.data4;
        write!(
            f,
            "{:08X}-{:04X}-{:04X}-{d0:02X}{d1:02X}-{d2:02X}{d3:02X}{d4:02X}{d5:02X}{d6:02X}{d7:02X}",
            self.data1, self.data2, self.data3
        )
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{self}}}")
    }
}

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

/// An NTSTATUS value, the transport-level answer of a WMI method call.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct NtStatus(pub u32);

impl NtStatus {
    /// `STATUS_SUCCESS`.
    pub const SUCCESS: NtStatus = NtStatus(0x0000_0000);
    /// `STATUS_INVALID_PARAMETER`: the IN buffer is shorter than its declared contents.
    pub const INVALID_PARAMETER: NtStatus = NtStatus(0xC000_000D);
    /// `STATUS_BUFFER_TOO_SMALL`: OutBufferSize is below the method's OUT size.
    pub const BUFFER_TOO_SMALL: NtStatus = NtStatus(0xC000_0023);
    /// `STATUS_WMI_GUID_NOT_FOUND`: a class this provider does not serve.
    pub const WMI_GUID_NOT_FOUND: NtStatus = NtStatus(0xC000_0295);
    /// `STATUS_WMI_ITEMID_NOT_FOUND`: a method id the class does not have.
    pub const WMI_ITEMID_NOT_FOUND: NtStatus = NtStatus(0xC000_0297);

    /// `NT_SUCCESS`: severity success or informational (the top bit clear).
    #[must_use]
    pub const fn is_success(self) -> bool {
        self.0 & 0x8000_0000 == 0
    }

    /// The `ntstatus.h` name, if this is one of the values the provider returns.
    #[must_use]
    pub const fn name(self) -> Option<&'static str> {
        Some(match self {
            NtStatus::SUCCESS => "STATUS_SUCCESS",
            NtStatus::INVALID_PARAMETER => "STATUS_INVALID_PARAMETER",
            NtStatus::BUFFER_TOO_SMALL => "STATUS_BUFFER_TOO_SMALL",
            NtStatus::WMI_GUID_NOT_FOUND => "STATUS_WMI_GUID_NOT_FOUND",
            NtStatus::WMI_ITEMID_NOT_FOUND => "STATUS_WMI_ITEMID_NOT_FOUND",
            _ => return None,
        })
    }
}

impl fmt::Debug for NtStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name}(0x{:08X})", self.0),
            None => write!(f, "NtStatus(0x{:08X})", self.0),
        }
    }
}

/// An `ISDSC_STATUS`, the operation-level answer written into a method's OUT `Status`.
///
/// Codes `0xEFFFxxxx` are errors (nothing changed); `0xAFFFxxxx` are warnings (the change was
/// made and is durable).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IsdscStatus(pub u32);

impl IsdscStatus {
    /// Success.
    pub const SUCCESS: IsdscStatus = IsdscStatus(0);
    /// `ISDSC_NON_SPECIFIC_ERROR`: here, the nonvolatile store failed.
    pub const NON_SPECIFIC_ERROR: IsdscStatus = IsdscStatus(0xEFFF_0001);
    /// `ISDSC_TARGET_PRESHAREDKEY_UNAVAILABLE`: no explicit key for the identifier.
    pub const TARGET_PRESHAREDKEY_UNAVAILABLE: IsdscStatus = IsdscStatus(0xEFFF_0027);
    /// `ISDSC_HBA_SECURITY_CACHE_FULL`: the table is at the adapter's maximum.
    pub const HBA_SECURITY_CACHE_FULL: IsdscStatus = IsdscStatus(0xEFFF_002C);
    /// `ISDSC_INVALID_PORT_NUMBER`: the port is not one of the adapter's.
    pub const INVALID_PORT_NUMBER: IsdscStatus = IsdscStatus(0xEFFF_002D);
    /// `ISDSC_IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED`: not one of the four identifier types.
    pub const IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED: IsdscStatus = IsdscStatus(0xEFFF_0030);
    /// `ISDSC_IKE_ID_PAYLOAD_INCORRECT_SIZE`: wrong identifier size for its type.
    pub const IKE_ID_PAYLOAD_INCORRECT_SIZE: IsdscStatus = IsdscStatus(0xEFFF_0031);
    /// `ISDSC_CACHE_CORRUPTED`: a stored record failed its check at load.
    pub const CACHE_CORRUPTED: IsdscStatus = IsdscStatus(0xEFFF_0036);
    /// `ISDSC_SHORT_CHAP_SECRET` (a warning): stored, but usable only under IPsec.
    pub const SHORT_CHAP_SECRET: IsdscStatus = IsdscStatus(0xAFFF_0048);
    /// `ISDSC_INVALID_INITIATOR_CHAP_SECRET`: the initiator CHAP secret is too long.
    pub const INVALID_INITIATOR_CHAP_SECRET: IsdscStatus = IsdscStatus(0xEFFF_004C);
    /// `ISDSC_INVALID_PARAMETER`: a field has a value outside its definition.
    pub const INVALID_PARAMETER: IsdscStatus = IsdscStatus(0xEFFF_0056);

    /// Every status this provider writes, for tables and tools.
    pub const ALL: [IsdscStatus; 11] = [
        IsdscStatus::SUCCESS,
        IsdscStatus::NON_SPECIFIC_ERROR,
        IsdscStatus::TARGET_PRESHAREDKEY_UNAVAILABLE,
        IsdscStatus::HBA_SECURITY_CACHE_FULL,
        IsdscStatus::INVALID_PORT_NUMBER,
        IsdscStatus::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED,
        IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE,
        IsdscStatus::CACHE_CORRUPTED,
        IsdscStatus::SHORT_CHAP_SECRET,
        IsdscStatus::INVALID_INITIATOR_CHAP_SECRET,
        IsdscStatus::INVALID_PARAMETER,
    ];

    /// True for `0xEFFFxxxx` codes: the call changed nothing.
    #[must_use]
    pub const fn is_error(self) -> bool {
        self.0 & 0xC000_0000 == 0xC000_0000
    }

    /// True for `0xAFFFxxxx` codes: the change was made, with a caveat.
    #[must_use]
    pub const fn is_warning(self) -> bool {
        self.0 & 0xC000_0000 == 0x8000_0000
    }

    /// The `iscsierr.h` name (`SUCCESS` for 0), if this is a status the provider writes.
    #[must_use]
    pub const fn name(self) -> Option<&'static str> {
        Some(match self {
            IsdscStatus::SUCCESS => "SUCCESS",
            IsdscStatus::NON_SPECIFIC_ERROR => "ISDSC_NON_SPECIFIC_ERROR",
            IsdscStatus::TARGET_PRESHAREDKEY_UNAVAILABLE => "ISDSC_TARGET_PRESHAREDKEY_UNAVAILABLE",
            IsdscStatus::HBA_SECURITY_CACHE_FULL => "ISDSC_HBA_SECURITY_CACHE_FULL",
            IsdscStatus::INVALID_PORT_NUMBER => "ISDSC_INVALID_PORT_NUMBER",
            IsdscStatus::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED => {
                "ISDSC_IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED"
            }
            IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE => "ISDSC_IKE_ID_PAYLOAD_INCORRECT_SIZE",
            IsdscStatus::CACHE_CORRUPTED => "ISDSC_CACHE_CORRUPTED",
            IsdscStatus::SHORT_CHAP_SECRET => "ISDSC_SHORT_CHAP_SECRET",
            IsdscStatus::INVALID_INITIATOR_CHAP_SECRET => "ISDSC_INVALID_INITIATOR_CHAP_SECRET",
            IsdscStatus::INVALID_PARAMETER => "ISDSC_INVALID_PARAMETER",
            _ => return None,
        })
    }
}

impl fmt::Debug for IsdscStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name}(0x{:08X})", self.0),
            None => write!(f, "IsdscStatus(0x{:08X})", self.0),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn class_guids_print_and_parse_in_windows_text_form() {
        assert_eq!(
            SECURITY_CONFIG_OPERATIONS_GUID.to_string(),
            "391F3325-0BA3-4083-A861-CF4F6F97A527"
        );
        assert_eq!(
            OPERATIONS_GUID.to_string(),
            "EA4D82BF-29DA-4E12-800A-E5437964462C"
        );
        for text in [
            "{391f3325-0ba3-4083-a861-cf4f6f97a527}",
            "391F3325-0BA3-4083-A861-CF4F6F97A527",
            "{391F3325-0ba3-4083-A861-cf4f6f97a527}",
        ] {
            assert_eq!(
                Guid::parse(text),
                Some(SECURITY_CONFIG_OPERATIONS_GUID),
                "{text}"
            );
        }
        for bad in [
            "",
            "{391F3325-0BA3-4083-A861-CF4F6F97A527",
            "391F3325-0BA3-4083-A861-CF4F6F97A5271",
            "391F3325-0BA3-4083-A861CF4F6F97A527",
            "391F3325-0BA3-4083-A861-CF4F6F97A52G",
            "+91F3325-0BA3-4083-A861-CF4F6F97A527",
            "391F3325-0BA3-4083-A861-CF4F6F97A527-",
        ] {
            assert_eq!(Guid::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn guid_memory_layout_is_little_endian_for_the_first_three_groups() {
        let bytes = SECURITY_CONFIG_OPERATIONS_GUID.to_bytes_le();
        assert_eq!(
            bytes,
            [
                0x25, 0x33, 0x1f, 0x39, 0xa3, 0x0b, 0x83, 0x40, 0xa8, 0x61, 0xcf, 0x4f, 0x6f, 0x97,
                0xa5, 0x27
            ]
        );
        assert_eq!(Guid::from_bytes_le(bytes), SECURITY_CONFIG_OPERATIONS_GUID);
    }

    #[test]
    fn status_severities() {
        assert!(IsdscStatus::SHORT_CHAP_SECRET.is_warning());
        assert!(!IsdscStatus::SHORT_CHAP_SECRET.is_error());
        assert!(IsdscStatus::INVALID_PARAMETER.is_error());
        assert!(!IsdscStatus::SUCCESS.is_error() && !IsdscStatus::SUCCESS.is_warning());
        assert!(NtStatus::SUCCESS.is_success());
        assert!(!NtStatus::BUFFER_TOO_SMALL.is_success());
        for s in IsdscStatus::ALL {
            assert!(s.name().is_some());
        }
    }
}
