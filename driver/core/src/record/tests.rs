//! Tests of the record format: exact layouts, round trips of every kind, damage, names and
//! the loader's decision.

use super::*;
use alloc::vec::Vec;

fn encode(r: RecordRef<'_>) -> Vec<u8> {
    let mut buf = [0u8; MAX_RECORD_LEN];
    let n = r.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

fn fqdn(s: &str) -> Identifier {
    Identifier::parse(2, s.as_bytes()).unwrap()
}

#[test]
fn psk_record_layout_is_exact() {
    let id = fqdn("a.b");
    let flags = SecurityFlags::parse(0x07).unwrap();
    let bytes = encode(RecordRef::Psk {
        port: PortSelector::Port(1),
        id: &id,
        flags,
        key: b"k1",
    });
    let payload: [u8; 21] = [
        1, 0, 0, 0, // port
        7, 0, 0, 0, 0, 0, 0, 0, // flags
        2, 3, 2, 0, // id type, id len, key len
        b'a', b'.', b'b', b'k', b'1',
    ];
    assert_eq!(
        &bytes[..12],
        &[b'i', b'S', b'E', b'C', 1, 1, 0, 0, 21, 0, 0, 0]
    );
    assert_eq!(&bytes[12..33], &payload);
    assert_eq!(bytes.len(), 12 + 21 + 32);
    let digest: [u8; 32] = Sha256::digest(&bytes[..33]).into();
    assert_eq!(&bytes[33..], &digest);
    let name = RecordName::psk(PortSelector::Port(1), &id);
    assert!(name.as_str().starts_with("psk-") && name.as_str().len() == 36);
    match Record::decode(name.as_str(), &bytes).unwrap() {
        Record::Psk {
            port,
            id: got,
            flags: f,
            key,
        } => {
            assert_eq!(port, PortSelector::Port(1));
            assert_eq!(got, id);
            assert_eq!(f, flags);
            assert_eq!(key, b"k1");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_kind_round_trips() {
    let id = Identifier::parse(5, &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap();
    let text = TextAddress::from_units(&[u16::from(b'g'), 0x263a]).unwrap();
    let dest = Destination::Text(text);
    let outer = OuterAddress::Ipv6 {
        address: [1; 16],
        flow_info: 5,
        scope_id: 6,
    };
    let guid = [9u8; 16];
    let cases: [RecordRef<'_>; 5] = [
        RecordRef::Psk {
            port: PortSelector::All,
            id: &id,
            flags: SecurityFlags::parse(0).unwrap(),
            key: &[0u8; 256],
        },
        RecordRef::GroupKey(&[0, 1, 2]),
        RecordRef::Tunnel {
            port: PortSelector::Port(0),
            destination: &dest,
            outer: &outer,
        },
        RecordRef::GenerationalGuid(&guid),
        RecordRef::ChapSecret(b"0123456789ab"),
    ];
    for case in cases {
        let bytes = encode(case);
        let decoded = Record::decode(case.name().as_str(), &bytes).unwrap();
        assert_eq!(decoded.name(), case.name());
        // Re-encoding the decoded record gives the same bytes.
        let again = encode(decoded.as_record_ref());
        assert_eq!(again, bytes);
    }
}

#[test]
fn every_single_byte_flip_is_rejected() {
    let id = fqdn("flip.example");
    let bytes = encode(RecordRef::Psk {
        port: PortSelector::Port(0),
        id: &id,
        flags: SecurityFlags::parse(1).unwrap(),
        key: b"secret",
    });
    let name = RecordName::psk(PortSelector::Port(0), &id);
    // Every byte and bit; under Miri (thousands of times slower) every 5th byte, one bit.
    let (step, bits) = if cfg!(miri) { (5, 1) } else { (1, 8) };
    for i in (0..bytes.len()).step_by(step) {
        for bit in 0..bits {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            assert!(
                Record::decode(name.as_str(), &b).is_err(),
                "byte {i} bit {bit}"
            );
        }
    }
}

#[test]
fn structural_errors() {
    let bytes = encode(RecordRef::GroupKey(b"gk"));
    let name = RecordName::GROUP_KEY;
    assert_eq!(
        Record::decode(name.as_str(), &bytes[..45]).unwrap_err(),
        RecordError::Truncated
    );
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        Record::decode(name.as_str(), &long).unwrap_err(),
        RecordError::TrailingData
    );
    let mut v = bytes.clone();
    v[4] = 2;
    assert_eq!(
        Record::decode(name.as_str(), &v).unwrap_err(),
        RecordError::UnsupportedVersion(2)
    );
    assert_eq!(
        Record::decode(name.as_str(), &[]).unwrap_err(),
        RecordError::Truncated
    );
    assert_eq!(
        Record::decode("chap-secret", &bytes).unwrap_err(),
        RecordError::NameMismatch
    );
    let mut huge = bytes.clone();
    huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        Record::decode(name.as_str(), &huge).unwrap_err(),
        RecordError::Truncated
    );
}

#[test]
fn a_well_formed_record_with_a_bad_payload_is_rejected() {
    // A correctly checksummed record whose payload is invalid (a 17-byte CHAP secret)
    // must not load: checksums protect against damage, validation against bad content.
    let mut buf = [0u8; MAX_RECORD_LEN];
    let mut w = Writer::new(&mut buf);
    w.put(&MAGIC).unwrap();
    w.put(&[VERSION, KIND_CHAP_SECRET, 0, 0]).unwrap();
    w.put(&17u32.to_le_bytes()).unwrap();
    w.put(&[7u8; 17]).unwrap();
    let n = w.pos;
    let digest: [u8; 32] = Sha256::digest(&buf[..n]).into();
    buf[n..n + 32].copy_from_slice(&digest);
    assert_eq!(
        Record::decode("chap-secret", &buf[..n + 32]).unwrap_err(),
        RecordError::BadPayload
    );
}

#[test]
fn a_checksummed_record_with_an_unnormalised_name_is_rejected() {
    // Found by hand while fuzzing: the decoder must not lower-case for the writer.
    let bytes = include_bytes!("../../testdata/record-psk-upper-case-name.bin");
    assert_eq!(
        Record::decode_unnamed(bytes).unwrap_err(),
        RecordError::BadPayload
    );
    crate::fuzzing::record(bytes);
}

#[test]
fn tunnel_names_differ_by_port_and_destination() {
    let a = Destination::Ipv4([192, 0, 2, 1]);
    let b = Destination::Ipv4([192, 0, 2, 2]);
    let n1 = RecordName::tunnel(PortSelector::Port(0), &a);
    assert_ne!(n1, RecordName::tunnel(PortSelector::Port(1), &a));
    assert_ne!(n1, RecordName::tunnel(PortSelector::Port(0), &b));
    assert!(n1.as_str().starts_with("tunnel-") && n1.as_str().len() == 39);
}

#[test]
fn the_longest_record_is_exactly_max_record_len() {
    // A tunnel mapping between two texts of 256 units is the longest record; a host reads at
    // most MAX_RECORD_LEN bytes (plus one to see that a file is longer).
    let text = TextAddress::from_units(&[u16::from(b'x'); 256]).unwrap();
    let destination = Destination::Text(text);
    let outer = OuterAddress::Text(text);
    let longest = RecordRef::Tunnel {
        port: PortSelector::All,
        destination: &destination,
        outer: &outer,
    };
    assert_eq!(encode(longest).len(), MAX_RECORD_LEN);
    let mut short = [0u8; MAX_RECORD_LEN - 1];
    assert_eq!(longest.encode(&mut short), Err(RecordError::NoRoom));
    // The longest explicit key (a 255-byte name, a 256-byte key) is shorter.
    let id = Identifier::parse(2, &[b'a'; 255]).unwrap();
    let key = [7u8; 256];
    let psk = RecordRef::Psk {
        port: PortSelector::All,
        id: &id,
        flags: SecurityFlags::parse(0).unwrap(),
        key: &key,
    };
    assert!(encode(psk).len() < MAX_RECORD_LEN);
}

#[test]
fn only_names_the_core_writes_parse_as_record_names() {
    let psk = RecordName::psk(PortSelector::All, &fqdn("a.example"));
    let tunnel = RecordName::tunnel(PortSelector::Port(0), &Destination::Ipv4([1, 2, 3, 4]));
    for name in [
        RecordName::GROUP_KEY,
        RecordName::CHAP_SECRET,
        RecordName::GENERATIONAL_GUID,
        psk,
        tunnel,
    ] {
        assert_eq!(RecordName::parse(name.as_str().as_bytes()), Some(name));
    }
    let upper = psk.as_str().to_ascii_uppercase().replace("PSK-", "psk-");
    let long = alloc::format!("{}0", psk.as_str());
    let short = &psk.as_str()[..35];
    for foreign in [
        &b"lost+found"[..],
        b"notes.txt",
        b"",
        b".lock",
        b"group-key.bak",
        b"Group-Key",
        b"psk-",
        b"psk-0123",
        upper.as_bytes(),
        long.as_bytes(),
        short.as_bytes(),
        b"psk-0123456789abcdef0123456789abcdeg",
        b"tunnel-0123456789abcdef0123456789abcdef\\x",
        b"psk\\0123456789abcdef0123456789abcdef",
        b"psk-0123456789abcdef0123456789abcde\xff",
        "psk-0123456789abcdef0123456789abcd\u{e9}".as_bytes(),
    ] {
        assert_eq!(RecordName::parse(foreign), None, "{foreign:?}");
    }
}

#[test]
fn classify_decides_record_damage_and_foreign() {
    let a = fqdn("a.example");
    let b = fqdn("b.example");
    let name_a = RecordName::psk(PortSelector::Port(0), &a);
    let name_b = RecordName::psk(PortSelector::Port(0), &b);
    let bytes_a = encode(RecordRef::Psk {
        port: PortSelector::Port(0),
        id: &a,
        flags: SecurityFlags::parse(1).unwrap(),
        key: b"key-a",
    });
    match classify(name_a.as_str().as_bytes(), Ok(&bytes_a)) {
        Loaded::Record(r) => assert_eq!(r.name(), name_a),
        other => panic!("{other:?}"),
    }
    // A's record moved to B's name: damage at B, and to A, whose record it is.
    match classify(name_b.as_str().as_bytes(), Ok(&bytes_a)) {
        Loaded::Damaged {
            found,
            content: Some(content),
        } => {
            assert_eq!((found, content.name()), (name_b, name_a));
        }
        other => panic!("{other:?}"),
    }
    // Unreadable, empty, torn: damage at the name only.
    for bytes in [
        Err(StoreError { what: "read" }),
        Ok(&[][..]),
        Ok(&bytes_a[..bytes_a.len() - 1]),
    ] {
        match classify(name_b.as_str().as_bytes(), bytes) {
            Loaded::Damaged {
                found,
                content: None,
            } => assert_eq!(found, name_b),
            other => panic!("{other:?}"),
        }
    }
    // A name that cannot be a record's is foreign whatever it holds, a valid record too.
    for name in [&b"lost+found"[..], b"psk-a\\b", b"\xff\xfe"] {
        assert!(matches!(classify(name, Ok(&bytes_a)), Loaded::Foreign));
        let unreadable = Err(StoreError {
            what: "a directory",
        });
        assert!(matches!(classify(name, unreadable), Loaded::Foreign));
    }
    let text = alloc::format!("{:?}", classify(name_a.as_str().as_bytes(), Ok(&bytes_a)));
    assert!(
        !text.contains("key-a") && text.contains("secret elided"),
        "{text}"
    );
}

#[test]
fn errors_say_what_happened() {
    use alloc::string::ToString;
    assert_eq!(
        RecordError::UnsupportedVersion(7).to_string(),
        "record format version 7 is not read"
    );
    // Every public error of the core says what happened, as a `core::error::Error`.
    let errors: [&dyn core::error::Error; 5] = [
        &RecordError::ChecksumMismatch,
        &crate::wire::WireError::Truncated,
        &domain::ValidationError::IdBadByte,
        &domain::ValidationError::InvalidPortNumber,
        &StoreError { what: "write" },
    ];
    let texts: Vec<_> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "record checksum does not match",
            "the IN buffer ends before its fixed part or its declared sizes",
            "a name identifier holds a byte outside printable ASCII (0x21-0x7E)",
            "the port is not a port of this adapter",
            "nonvolatile store failed: write",
        ]
    );
}
