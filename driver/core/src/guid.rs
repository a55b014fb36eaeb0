//! A Windows GUID: its in-memory (C `GUID`) layout and its text form.
//!
//! ```text
//!   WMI class GUID (ExecuteMethod), method 6's GenerationalGuid ──► Guid (this file)
//! ```

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID};
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
}
