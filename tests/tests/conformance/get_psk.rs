//! SPEC §4 GetPresharedKeyForId (method 2): checks (port, then identifier), which explicit
//! entry answers (this port, then all ports; never the group key), the exact OUT bytes.

use crate::common::*;

/// The 16 OUT bytes of GetPresharedKeyForId: Status, 4 zero padding bytes, SecurityFlags.
fn out(status: u32, flags: u64) -> Vec<u8> {
    let mut b = status.to_le_bytes().to_vec();
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&flags.to_le_bytes());
    b
}

fn get_raw(t: &Iscsisec, port: u32, ty: u8, id: &[u8]) -> Answer {
    t.exec(SECURITY_CONFIG, method::GET_PSK, &get_psk_in(port, ty, id))
}

#[test]
fn found_out_is_status_zero_padding_and_flags_exactly() {
    let t = iscsisec!();
    assert_eq!(t.set_psk(0, 0x5F, id_type::IPV4, &V4, b"k"), isdsc::SUCCESS);
    let a = get_raw(&t, 0, id_type::IPV4, &V4);
    assert_eq!((a.ntstatus, a.used), (nt::SUCCESS, 16));
    assert_eq!(a.out, out(0, 0x5F));
    assert_eq!(
        a.out,
        [0, 0, 0, 0, 0, 0, 0, 0, 0x5F, 0, 0, 0, 0, 0, 0, 0],
        "little-endian"
    );
}

#[test]
fn not_found_is_unavailable_with_flags_zero_and_zero_padding() {
    let t = iscsisec!();
    let a = get_raw(&t, 1, id_type::FQDN, FQDN);
    assert_eq!((a.ntstatus, a.used), (nt::SUCCESS, 16));
    assert_eq!(
        a.out,
        [0x27, 0x00, 0xFF, 0xEF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
}

#[test]
fn the_port_entry_answers_before_the_all_ports_entry() {
    let t = iscsisec!();
    assert_eq!(
        t.set_psk(ALL_PORTS, 0x09, id_type::FQDN, FQDN, b"all"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(0, 0x05, id_type::FQDN, FQDN, b"port"),
        isdsc::SUCCESS
    );
    assert_eq!(get_raw(&t, 0, id_type::FQDN, FQDN).out, out(0, 0x05));
    // Port 1 has no entry of its own: the all-ports one answers.
    assert_eq!(get_raw(&t, 1, id_type::FQDN, FQDN).out, out(0, 0x09));
    // Asking for all ports finds the all-ports entry only.
    assert_eq!(
        get_raw(&t, ALL_PORTS, id_type::FQDN, FQDN).out,
        out(0, 0x09)
    );
}

#[test]
fn a_port_entry_does_not_answer_for_another_port_or_for_all_ports() {
    let t = iscsisec!();
    assert_eq!(t.set_psk(1, 0x03, id_type::IPV6, &V6, b"k"), isdsc::SUCCESS);
    assert_eq!(get_raw(&t, 1, id_type::IPV6, &V6).out, out(0, 0x03));
    for port in [0, ALL_PORTS] {
        assert_eq!(
            get_raw(&t, port, id_type::IPV6, &V6).out,
            out(isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0),
            "port {port:#x}"
        );
    }
}

#[test]
fn the_group_key_does_not_count() {
    let t = iscsisec!();
    assert_eq!(t.set_group_key(b"group key"), isdsc::SUCCESS);
    for port in [0, 1, ALL_PORTS] {
        assert_eq!(
            get_raw(&t, port, id_type::USER_FQDN, USER_FQDN).out,
            out(isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
        );
    }
    // Though the lookup does use it.
    let l = t.lookup("0", "user-fqdn", "iscsi@initiator.example.com", false);
    assert_eq!((l.code, l.line()), (Some(0), "source=group"));
}

#[test]
fn get_checks_the_port_first() {
    let t = iscsisec!();
    for (port, ty, id) in [
        (2u32, id_type::IPV4, &V4[..]),
        (2, 4, &[][..]),
        (0xFFFF_FFFE, 0, b"x"),
    ] {
        assert_eq!(
            get_raw(&t, port, ty, id).out,
            out(isdsc::INVALID_PORT_NUMBER, 0),
            "port {port:#x} type {ty}"
        );
    }
    let t3 = iscsisec!().ports(3);
    assert_eq!(
        get_raw(&t3, 2, id_type::IPV4, &V4).out,
        out(isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
}

#[test]
fn get_checks_id_type_then_size_then_bytes() {
    let t = iscsisec!();
    let cases: [(u8, &[u8], u32); 9] = [
        (4, b"", isdsc::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED),
        (0, &V4, isdsc::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED),
        (255, &[b' '; 300], isdsc::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED),
        (
            id_type::IPV4,
            &[1, 2, 3],
            isdsc::IKE_ID_PAYLOAD_INCORRECT_SIZE,
        ),
        (id_type::IPV6, &V4, isdsc::IKE_ID_PAYLOAD_INCORRECT_SIZE),
        (id_type::FQDN, b"", isdsc::IKE_ID_PAYLOAD_INCORRECT_SIZE),
        (
            id_type::USER_FQDN,
            &[b' '; 256],
            isdsc::IKE_ID_PAYLOAD_INCORRECT_SIZE,
        ),
        (id_type::FQDN, b"bad name", isdsc::INVALID_PARAMETER),
        (id_type::USER_FQDN, b"me@\x7fhost", isdsc::INVALID_PARAMETER),
    ];
    for (ty, id, status) in cases {
        assert_eq!(
            get_raw(&t, 0, ty, id).out,
            out(status, 0),
            "type {ty}, {} bytes",
            id.len()
        );
    }
}
