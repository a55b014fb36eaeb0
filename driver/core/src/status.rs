//! The two answers of a WMI method call: the NTSTATUS of the call and the ISDSC status of the
//! operation, written into the OUT buffer.
//!
//! Values come from `ntstatus.h` and the generated `iscsierr.h` (see
//! `shared/reference/msiscsi-wmi.md`).

use core::fmt;

/// An NTSTATUS value, the transport-level answer of a WMI method call.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct NtStatus(pub u32);

impl NtStatus {
    /// `STATUS_SUCCESS`.
    pub const SUCCESS: NtStatus = NtStatus(0x0000_0000);
    /// `STATUS_INVALID_PARAMETER`: the IN buffer is shorter than its declared contents.
    pub const INVALID_PARAMETER: NtStatus = NtStatus(0xC000_000D);
    /// `STATUS_BUFFER_TOO_SMALL`: `OutBufferSize` is below the method's OUT size.
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

#[cfg(test)]
mod tests {
    use super::*;

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
