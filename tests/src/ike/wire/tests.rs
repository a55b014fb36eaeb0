//! The codec's tests: every payload both ways, and each refusal of the strict decoder.

use super::*;

fn phase1_transform() -> Transform {
    Transform {
        number: 1,
        id: 1,
        attributes: vec![
            Attribute {
                kind: attribute::ENCRYPTION,
                value: AttributeValue::Basic(7),
            },
            Attribute {
                kind: attribute::LIFE_DURATION,
                value: AttributeValue::Variable(vec![0, 0, 0x70, 0x80]),
            },
        ],
    }
}

fn message() -> Message {
    Message {
        initiator_cookie: [1, 2, 3, 4, 5, 6, 7, 8],
        responder_cookie: [0; 8],
        exchange: exchange::AGGRESSIVE,
        flags: 0,
        message_id: 0,
        body: Body::Plain(vec![
            Payload::Sa(SaPayload {
                doi: 1,
                situation: 1,
                proposals: vec![Proposal {
                    number: 1,
                    protocol: 1,
                    spi: vec![],
                    transforms: vec![phase1_transform()],
                }],
            }),
            Payload::Ke(vec![9; 8]),
            Payload::Nonce(vec![7; 16]),
            Payload::Id(IdPayload {
                id_type: 2,
                protocol: 0,
                port: 0,
                data: b"initiator.lab".to_vec(),
            }),
            Payload::VendorId(vec![0xaa; 16]),
        ]),
    }
}

#[test]
fn a_message_round_trips_and_has_the_rfc_layout() {
    let m = message();
    let bytes = m.encode().expect("encodes");
    // Header: cookies, next payload SA (1), version 0x10, exchange 4, flags 0, mid 0, len.
    assert_eq!(&bytes[..8], &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(&bytes[16..20], &[1, 0x10, 4, 0]);
    assert_eq!(
        u32::from_be_bytes(bytes[24..28].try_into().expect("4 bytes")) as usize,
        bytes.len()
    );
    // SA payload: next = KE (4), reserved, length; DOI 1, situation 1; proposal header.
    assert_eq!(bytes[28], payload_type::KE);
    assert_eq!(&bytes[32..40], &[0, 0, 0, 1, 0, 0, 0, 1]);
    assert_eq!(bytes[40], payload_type::NONE, "one proposal");
    // Proposal body: number 1, protocol 1, SPI size 0, one transform.
    assert_eq!(&bytes[44..48], &[1, 1, 0, 1]);
    // Transform: #1, KEY_IKE, reserved; TV attribute 0x8001 = 7; TLV 12 of 4 bytes.
    assert_eq!(
        &bytes[52..68],
        &[1, 1, 0, 0, 0x80, 1, 0, 7, 0, 12, 0, 4, 0, 0, 0x70, 0x80]
    );
    assert_eq!(Message::decode(&bytes), Ok(m));
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    let bytes = message().encode().expect("encodes");
    for n in 0..bytes.len() {
        let mut cut = bytes[..n].to_vec();
        if n >= HEADER_LEN {
            // Keep the header honest so that the payload decoder is what fails.
            let len = u32::try_from(n).expect("small");
            cut[24..28].copy_from_slice(&len.to_be_bytes());
        }
        assert!(Message::decode(&cut).is_err(), "{n} bytes decoded");
    }
}

#[test]
fn strictness() {
    let good = message().encode().expect("encodes");
    let mut v = good.clone();
    v[17] = 0x20;
    assert_eq!(Message::decode(&v), Err(DecodeError::Version(0x20)));
    let mut f = good.clone();
    f[19] = 0x08;
    assert_eq!(Message::decode(&f), Err(DecodeError::Flags(0x08)));
    let mut long = good.clone();
    long.push(0);
    assert!(matches!(
        Message::decode(&long),
        Err(DecodeError::MessageLength { .. })
    ));
    let mut reserved = good.clone();
    reserved[29] = 1;
    assert_eq!(
        Message::decode(&reserved),
        Err(DecodeError::Reserved {
            what: "payload header"
        })
    );
    let mut count = good.clone();
    count[47] = 2;
    assert_eq!(
        Message::decode(&count),
        Err(DecodeError::TransformCount {
            declared: 2,
            found: 1
        })
    );
    // An encrypted body must be whole cipher blocks: 17 bytes are not, 32 are.
    let mut encrypted = good[..HEADER_LEN].to_vec();
    encrypted[19] = flag::ENCRYPTION;
    encrypted.extend_from_slice(&[0xab; 17]);
    encrypted[24..28].copy_from_slice(&45u32.to_be_bytes());
    assert_eq!(
        Message::decode(&encrypted),
        Err(DecodeError::CiphertextLength(17))
    );
    encrypted.extend_from_slice(&[0xcd; 15]);
    encrypted[24..28].copy_from_slice(&60u32.to_be_bytes());
    let m = Message::decode(&encrypted).expect("two blocks decode");
    assert!(
        matches!(m.body, Body::Encrypted { first: payload_type::SA, ref ciphertext } if ciphertext.len() == 32)
    );
}

#[test]
fn padding_is_allowed_only_inside_encrypted_bodies() {
    let payloads = vec![Payload::Hash(vec![1; 32])];
    let mut plain = encode_payloads(&payloads).expect("encodes");
    assert_eq!(
        decode_payloads(payload_type::HASH, &plain),
        Ok(payloads.clone())
    );
    plain.extend_from_slice(&[0; 12]);
    assert_eq!(
        decode_payloads(payload_type::HASH, &plain),
        Err(DecodeError::TrailingData(12))
    );
    assert_eq!(
        decode_payloads_padded(payload_type::HASH, &plain),
        Ok(payloads)
    );
    plain.extend_from_slice(&[0; 5]);
    assert_eq!(
        decode_payloads_padded(payload_type::HASH, &plain),
        Err(DecodeError::TrailingData(17))
    );
}

/// charon 5.9.8's main mode message 2, captured on the lab (`ISCSISEC_IKE_CAPTURE`).
static CHARON_MM2: &[u8] = include_bytes!("../../../../fuzz/corpus/ike_message/seed-mm2-charon-sa");
/// charon 5.9.8's aggressive mode message 2, captured likewise.
static CHARON_AM2: &[u8] =
    include_bytes!("../../../../fuzz/corpus/ike_message/seed-am2-charon-sa-ke-nonce-id-hash-vid");

#[test]
fn charons_answers_decode_and_round_trip() {
    let mm2 = Message::decode(CHARON_MM2).expect("charon's message 2 decodes");
    assert_eq!(mm2.exchange, exchange::IDENTITY_PROTECTION);
    assert_ne!(mm2.responder_cookie, [0; 8]);
    let kinds: Vec<u8> = mm2.payloads().iter().map(Payload::kind).collect();
    assert_eq!(
        kinds,
        [
            payload_type::SA,
            payload_type::VENDOR_ID,
            payload_type::VENDOR_ID
        ]
    );
    let Payload::Sa(sa) = &mm2.payloads()[0] else {
        panic!("SA first");
    };
    let t = &sa.proposals[0].transforms[0];
    // charon chose our one transform: AES-CBC 128, SHA2-256, PSK, MODP-2048.
    assert_eq!(t.attribute(attribute::ENCRYPTION), Some(7));
    assert_eq!(t.attribute(attribute::KEY_LENGTH), Some(128));
    assert_eq!(t.attribute(attribute::HASH), Some(4));
    assert_eq!(t.attribute(attribute::AUTHENTICATION), Some(1));
    assert_eq!(t.attribute(attribute::GROUP), Some(14));
    assert_eq!(mm2.encode().expect("encodes"), CHARON_MM2);

    let am2 = Message::decode(CHARON_AM2).expect("charon's aggressive message 2 decodes");
    let kinds: Vec<u8> = am2.payloads().iter().map(Payload::kind).collect();
    assert_eq!(
        kinds,
        [
            payload_type::SA,
            payload_type::KE,
            payload_type::NONCE,
            payload_type::ID,
            payload_type::VENDOR_ID,
            payload_type::VENDOR_ID,
            payload_type::HASH
        ]
    );
    let Payload::Id(id) = &am2.payloads()[3] else {
        panic!("ID fourth");
    };
    assert_eq!((id.id_type, id.data.as_slice()), (2, &b"responder.lab"[..]));
    assert_eq!(am2.encode().expect("encodes"), CHARON_AM2);
}

#[test]
fn the_fuzz_oracle_holds_for_the_seeds_shapes() {
    let bytes = message().encode().expect("encodes");
    fuzz_round_trip(&bytes);
    let mut chain = vec![bytes[16]];
    chain.extend_from_slice(&bytes[HEADER_LEN..]);
    fuzz_round_trip(&chain);
    fuzz_round_trip(&[]);
}

#[test]
fn attribute_values_read_as_numbers() {
    let t = phase1_transform();
    assert_eq!(t.attribute(attribute::ENCRYPTION), Some(7));
    assert_eq!(t.attribute(attribute::LIFE_DURATION), Some(28800));
    assert_eq!(t.attribute(attribute::GROUP), None);
}
