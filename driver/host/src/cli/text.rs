//! User text to WMI field bytes, with iscsicli's conventions.
//!
//! ```text
//!   cli::args, cli::verbs ──► text (this file) ──► core wire emitters ──► execute_method
//! ```
//!
//! Every function here only converts: `*` to the field's default, numbers (decimal unless
//! `0x`), keys (text unless `0x` hex), dotted IPv4 to four bytes, IPv6 to sixteen, text to
//! the UTF-16LE bytes of a WMI counted string. Whether the resulting values are allowed is the
//! core's decision. An error is a
//! message naming the argument, never holding a key's text.

use std::net::{Ipv4Addr, Ipv6Addr};

use iscsisec_core::consts::{ALL_PORTS, id_type, ip_address_type};
use iscsisec_core::wire::IscsiIpAddress;
use zeroize::Zeroizing;

/// Parses a number, decimal unless it starts with `0x` (or `0X`): digits only, no sign.
///
/// # Errors
///
/// A message naming `what` if the text is not such a number or does not fit a `u64`.
pub fn number(what: &str, text: &str) -> Result<u64, String> {
    unsigned(text).map_err(|why| format!("{what}: '{text}' is {why}"))
}

/// Parses a number that must fit `T` (`u8`, `u32`, `usize`, …).
///
/// # Errors
///
/// As [`number`], or a message saying the value does not fit.
pub fn number_as<T: TryFrom<u64>>(what: &str, text: &str) -> Result<T, String> {
    unsigned_as(text).map_err(|why| format!("{what}: '{text}' is {why}"))
}

/// [`number_as`] for clap's value parsers, which name the option and quote the value
/// themselves: the error is only why the value is wrong.
///
/// # Errors
///
/// `not a number …` or `too large`.
pub fn unsigned_as<T: TryFrom<u64>>(text: &str) -> Result<T, &'static str> {
    T::try_from(unsigned(text)?).map_err(|_| TOO_LARGE)
}

const TOO_LARGE: &str = "too large";

fn unsigned(text: &str) -> Result<u64, &'static str> {
    let (digits, radix) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (text, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err("not a number (decimal, or hex with 0x)");
    }
    u64::from_str_radix(digits, radix).map_err(|_| TOO_LARGE)
}

/// A port: `*` means all ports (`0xFFFFFFFF`), else a number.
///
/// # Errors
///
/// As [`number_as`].
pub fn port(what: &str, text: &str) -> Result<u32, String> {
    if text == "*" {
        Ok(ALL_PORTS)
    } else {
        number_as(what, text)
    }
}

/// Security flags: `*` means 0, else a number.
///
/// # Errors
///
/// As [`number`].
pub fn security_flags(text: &str) -> Result<u64, String> {
    if text == "*" {
        Ok(0)
    } else {
        number("SecurityFlags", text)
    }
}

/// A key or secret: `*` is empty (remove or clear), `0x…` is hex (an even number of digits),
/// anything else is its text bytes (no terminating NUL). The result wipes itself on drop.
///
/// `*` is the only way to say "empty": an empty text and a `0x` without digits are refused,
/// so that an unset shell variable (`GroupKey "$KEY" *`) cannot clear a key by accident.
///
/// # Errors
///
/// A message naming `what` (never quoting the key) for an empty key or bad hex.
pub fn secret(what: &str, text: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    if text == "*" {
        return Ok(Zeroizing::new(Vec::new()));
    }
    let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) else {
        if text.is_empty() {
            return Err(format!(
                "{what}: an empty key is not a key; pass * to clear"
            ));
        }
        return Ok(Zeroizing::new(text.as_bytes().to_vec()));
    };
    if hex.is_empty() {
        return Err(format!(
            "{what}: 0x needs hex digits after it; pass * to clear"
        ));
    }
    if hex.len() % 2 != 0 {
        return Err(format!(
            "{what}: a 0x key needs an even number of hex digits"
        ));
    }
    let mut out = Zeroizing::new(Vec::with_capacity(hex.len() / 2));
    for pair in hex.as_bytes().chunks_exact(2) {
        let byte = match pair {
            [hi, lo] => hex_value(*hi).zip(hex_value(*lo)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match byte {
            Some(b) => out.push(b),
            None => return Err(format!("{what}: a 0x key may hold only hex digits")),
        }
    }
    Ok(out)
}

fn hex_value(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Lower-case hex of `bytes`, in a string that wipes itself on drop.
#[must_use]
pub fn hex(bytes: &[u8]) -> Zeroizing<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Zeroizing::new(String::with_capacity(bytes.len().saturating_mul(2)));
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            if let Some(&d) = DIGITS.get(usize::from(nibble)) {
                out.push(char::from(d));
            }
        }
    }
    out
}

/// The `IdType` of `lookup --id-type`: a number or `ipv4`, `fqdn`, `user-fqdn`, `ipv6`.
///
/// # Errors
///
/// A message if it is neither a name nor a number that fits a byte.
pub fn id_type_name(text: &str) -> Result<u8, String> {
    match text.to_ascii_lowercase().as_str() {
        "ipv4" => Ok(id_type::IPV4_ADDR),
        "fqdn" => Ok(id_type::FQDN),
        "user-fqdn" => Ok(id_type::USER_FQDN),
        "ipv6" => Ok(id_type::IPV6_ADDR),
        _ => number_as("--id-type", text).map_err(|_| {
            format!("--id-type: '{text}' is not 1, 2, 3, 5, ipv4, fqdn, user-fqdn or ipv6")
        }),
    }
}

/// The bytes of an identifier as the wire carries them: dotted IPv4 for type 1 (four bytes),
/// IPv6 for type 5 (sixteen), the text's bytes for any other type (names, and types the core
/// will refuse).
///
/// # Errors
///
/// A message naming `what` if a type 1 or 5 identifier is not an address of that family.
pub fn identifier(what: &str, raw_type: u8, text: &str) -> Result<Vec<u8>, String> {
    match raw_type {
        id_type::IPV4_ADDR => text
            .parse::<Ipv4Addr>()
            .map(|a| a.octets().to_vec())
            .map_err(|_| format!("{what}: '{text}' is not a dotted IPv4 address")),
        id_type::IPV6_ADDR => text
            .parse::<Ipv6Addr>()
            .map(|a| a.octets().to_vec())
            .map_err(|_| format!("{what}: '{text}' is not an IPv6 address")),
        _ => Ok(text.as_bytes().to_vec()),
    }
}

/// An `ISCSI_IP_Address` for `TunnelAddr`, owning its `TextAddress` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpAddressArg {
    /// Every field but the text (whose slice here is empty).
    fields: IscsiIpAddress<'static>,
    /// `TextAddress`: UTF-16LE, no NUL (`L` is its length).
    text: Vec<u8>,
}

impl IpAddressArg {
    /// The address as the core's wire emitters take it.
    #[must_use]
    pub fn view(&self) -> IscsiIpAddress<'_> {
        IscsiIpAddress {
            text_address: &self.text,
            ..self.fields
        }
    }
}

/// An `ISCSI_IP_Address` for `TunnelAddr`: dotted IPv4 is type 1, IPv6 (optionally with a
/// numeric `%scope`) type 2, `*` type 3 (empty), anything else type 0 text. Text goes into the
/// counted string as WMI marshals a string: its UTF-16LE bytes at their real length, no NUL.
/// Any length the wire can say is built; the core refuses a text over 256 units.
///
/// # Errors
///
/// A message naming `what` if the text is longer than a `u16` byte length can say (32,767
/// units): no WMI buffer can carry it.
pub fn ip_address(what: &str, text: &str) -> Result<IpAddressArg, String> {
    let mut fields = IscsiIpAddress::zeroed(ip_address_type::TEXT);
    let mut bytes = Vec::new();
    if text == "*" {
        fields.address_type = ip_address_type::EMPTY;
    } else if let Ok(v4) = text.parse::<Ipv4Addr>() {
        fields.address_type = ip_address_type::IPV4;
        fields.ipv4_address = v4.octets();
    } else if let Some((address, scope_id)) = ipv6_with_scope(text) {
        fields.address_type = ip_address_type::IPV6;
        fields.ipv6_address = address.octets();
        fields.ipv6_scope_id = scope_id;
    } else {
        bytes = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        if u16::try_from(bytes.len()).is_err() {
            return Err(format!(
                "{what}: a text address of {} UTF-16 units does not fit a WMI string (at most \
                 32767)",
                bytes.len() / 2
            ));
        }
    }
    Ok(IpAddressArg {
        fields,
        text: bytes,
    })
}

fn ipv6_with_scope(text: &str) -> Option<(Ipv6Addr, u32)> {
    match text.split_once('%') {
        None => text.parse().ok().map(|a| (a, 0)),
        Some((address, scope)) => {
            if scope.is_empty() || !scope.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some((address.parse().ok()?, scope.parse().ok()?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_decimal_unless_0x() {
        assert_eq!(number("n", "10"), Ok(10));
        assert_eq!(number("n", "0x10"), Ok(16));
        assert_eq!(number("n", "0XfF"), Ok(255));
        assert_eq!(number("n", "18446744073709551615"), Ok(u64::MAX));
        for bad in ["", "0x", "+1", "-1", "1e3", " 1", "0b1", "ten", "0x1g"] {
            assert_eq!(
                number("n", bad),
                Err(format!(
                    "n: '{bad}' is not a number (decimal, or hex with 0x)"
                ))
            );
        }
        let too_large = |t: &str| format!("n: '{t}' is too large");
        assert_eq!(
            number("n", "18446744073709551616"),
            Err(too_large("18446744073709551616"))
        );
        assert_eq!(number_as::<u8>("n", "255"), Ok(255));
        assert_eq!(number_as::<u8>("n", "256"), Err(too_large("256")));
        assert_eq!(
            number_as::<u32>("n", "0x100000000"),
            Err(too_large("0x100000000"))
        );
    }

    #[test]
    fn ports_and_flags_take_star_as_default() {
        assert_eq!(port("Port", "*"), Ok(0xFFFF_FFFF));
        assert_eq!(port("Port", "1"), Ok(1));
        assert_eq!(port("Port", "0xffffffff"), Ok(0xFFFF_FFFF));
        assert_eq!(
            port("Port", "x"),
            Err("Port: 'x' is not a number (decimal, or hex with 0x)".to_owned())
        );
        assert_eq!(security_flags("*"), Ok(0));
        assert_eq!(security_flags("0x7"), Ok(7));
    }

    #[test]
    fn secrets_are_text_hex_or_empty_and_errors_never_quote_them() {
        assert_eq!(secret("Key", "*").unwrap().as_slice(), b"");
        assert_eq!(secret("Key", "abc").unwrap().as_slice(), b"abc");
        assert_eq!(
            secret("Key", "0x00FFa5").unwrap().as_slice(),
            &[0x00, 0xff, 0xa5]
        );
        // `*` is the only empty spelling; no message quotes the key.
        let refused = |text| secret("Key", text).map(|k| k.to_vec());
        let digits_after = "Key: 0x needs hex digits after it; pass * to clear";
        let odd = "Key: a 0x key needs an even number of hex digits";
        let not_hex = "Key: a 0x key may hold only hex digits";
        for (text, message) in [
            ("", "Key: an empty key is not a key; pass * to clear"),
            ("0x", digits_after),
            ("0X", digits_after),
            ("0xabc", odd),
            ("0xzz", not_hex),
            ("0x0g", not_hex),
            // Multi-byte text is not hex even when its byte count is even.
            ("0xé", not_hex),
        ] {
            assert_eq!(refused(text), Err(message.to_owned()), "{text:?}");
        }
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0xAB, 0x7f]).as_str(), "00ab7f");
    }

    #[test]
    fn identifiers_by_type() {
        assert_eq!(
            identifier("Id", 1, "192.0.2.10").unwrap(),
            vec![192, 0, 2, 10]
        );
        for text in ["192.0.2", "host"] {
            assert_eq!(
                identifier("Id", 1, text),
                Err(format!("Id: '{text}' is not a dotted IPv4 address"))
            );
        }
        assert_eq!(
            identifier("Id", 5, "2001:db8::1").unwrap(),
            [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        );
        assert_eq!(
            identifier("Id", 5, "1.2.3.4"),
            Err("Id: '1.2.3.4' is not an IPv6 address".to_owned())
        );
        assert_eq!(
            identifier("Id", 2, "Host.Example").unwrap(),
            b"Host.Example"
        );
        assert_eq!(identifier("Id", 4, "1.2.3.4").unwrap(), b"1.2.3.4");
        assert_eq!(id_type_name("FQDN"), Ok(2));
        assert_eq!(id_type_name("user-fqdn"), Ok(3));
        assert_eq!(id_type_name("5"), Ok(5));
        assert_eq!(id_type_name("4"), Ok(4));
        for text in ["dns", "256"] {
            assert_eq!(
                id_type_name(text),
                Err(format!(
                    "--id-type: '{text}' is not 1, 2, 3, 5, ipv4, fqdn, user-fqdn or ipv6"
                ))
            );
        }
    }

    #[test]
    fn addresses_by_form() {
        let address = |t: &str| ip_address("Destination", t).unwrap();
        let v4 = address("192.0.2.1");
        let v4 = v4.view();
        assert_eq!((v4.address_type, v4.ipv4_address), (1, [192, 0, 2, 1]));
        assert!(v4.text_address.is_empty());
        let v6 = address("fe80::1%12");
        let v6 = v6.view();
        assert_eq!((v6.address_type, v6.ipv6_scope_id), (2, 12));
        assert_eq!(
            v6.ipv6_address,
            [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        );
        assert_eq!(address("2001:db8::5").view().ipv6_scope_id, 0);
        assert_eq!(address("*").view().address_type, 3);
        let text = address("gw.example");
        let text = text.view();
        assert_eq!(text.address_type, 0);
        assert_eq!(text.text_address.len(), 20, "ten units, no NUL");
        assert_eq!(text.text_address[..6], [b'g', 0, b'w', 0, b'.', 0]);
        // Non-ASCII text is UTF-16LE; a character outside the BMP is a surrogate pair.
        let smile = address("t\u{263a}\u{1f600}");
        assert_eq!(
            smile.view().text_address,
            [b't', 0, 0x3a, 0x26, 0x3d, 0xd8, 0x00, 0xde]
        );
        // A non-numeric scope is not an IPv6 address here: it goes as text.
        assert_eq!(address("fe80::1%eth0").view().address_type, 0);
        // Texts the core refuses are still built, at their length.
        assert_eq!(address(&"a".repeat(300)).view().text_address.len(), 600);
        assert_eq!(
            address(&"b".repeat(32_767)).view().text_address.len(),
            65_534
        );
        assert_eq!(
            ip_address("Tunnel", &"c".repeat(32_768)),
            Err(
                "Tunnel: a text address of 32768 UTF-16 units does not fit a WMI string (at \
                 most 32767)"
                    .to_owned()
            )
        );
    }
}
