//! SPEC §3: every transport rule, through EvtWmiInstanceExecuteMethod.

use std::vec::Vec;

use super::*;
use crate::sys::STATUS_SUCCESS;

/// (class, method id, OUT size, a valid IN, its fixed part).
type Served = ([u8; 16], u32, u32, Vec<u8>, usize);

/// Every served method.
fn methods() -> Vec<Served> {
    std::vec![
        (SECURITY, 1, 4, set_psk(0, 0, 1, &[10, 0, 0, 1], b"key"), 28),
        (SECURITY, 2, 16, get_psk(0, 1, &[10, 0, 0, 1]), 12),
        (SECURITY, 3, 4, sized(b"group"), 4),
        (
            SECURITY,
            4,
            4,
            tunnel_fixed(0, 1, [10, 0, 0, 1], 1, [10, 0, 0, 2]),
            38
        ),
        (SECURITY, 5, 4, Vec::new(), 0),
        (SECURITY, 6, 4, std::vec![7u8; 16], 16),
        (OPERATIONS, 71, 4, sized(b"twelve-bytes"), 4),
    ]
}

/// SetTunnelModeOuterAddress_IN in the C layout (1100 bytes, the outer address at 552).
pub(crate) fn tunnel_fixed(
    port: u32,
    dest_type: u32,
    dest: [u8; 4],
    outer_type: u32,
    outer: [u8; 4],
) -> Vec<u8> {
    let mut b = std::vec![0u8; 1100];
    b[0..4].copy_from_slice(&port.to_le_bytes());
    b[4..8].copy_from_slice(&dest_type.to_le_bytes());
    b[8..12].copy_from_slice(&dest);
    b[552..556].copy_from_slice(&outer_type.to_le_bytes());
    b[556..560].copy_from_slice(&outer);
    b
}

#[test]
fn rule_0_a_class_nobody_registered_is_answered_by_wmi() {
    let machine = booted();
    let other = [0x11u8; 16];
    let answer = machine.wmi_execute(&other, 1, &set_psk(0, 0, 1, &[1, 2, 3, 4], b"k"), 4);
    assert_nt(answer.status, nt::WMI_GUID_NOT_FOUND);
    assert_eq!(answer.used, 0);
    assert!(machine.store_values().is_empty());
}

#[test]
fn rule_1_unknown_method_ids_are_item_not_found_with_nothing_used() {
    let machine = booted();
    for (guid, id) in [
        (SECURITY, 0),
        (SECURITY, 7),
        (SECURITY, 71),
        (OPERATIONS, 1),
        (OPERATIONS, 72),
        (OPERATIONS, 0xFFFF_FFFF),
    ] {
        let answer = machine.wmi_execute(&guid, id, &sized(b"secret-bytes"), 64);
        assert_nt(answer.status, nt::WMI_ITEMID_NOT_FOUND);
        assert_eq!(answer.used, 0, "method {id}");
    }
    assert!(machine.store_values().is_empty());
}

#[test]
fn rule_2_a_short_out_buffer_gets_buffer_too_small_with_the_out_size_and_changes_nothing() {
    let machine = booted();
    for (guid, id, out, input, _) in methods() {
        for short in [0, out - 1] {
            let answer = machine.wmi_execute(&guid, id, &input, short);
            assert_nt(answer.status, nt::BUFFER_TOO_SMALL);
            assert_eq!(answer.used, out, "method {id}, OutBufferSize {short}");
        }
    }
    assert!(machine.store_values().is_empty());
    assert_eq!(machine.store_flushes(), 1, "only the DACL's flush at start");
}

#[test]
fn rule_3_input_shorter_than_declared_is_invalid_parameter_and_changes_nothing() {
    let machine = booted();
    for (guid, id, out, input, fixed) in methods() {
        if fixed == 0 {
            continue;
        }
        let answer =
            machine.wmi_execute_sized(&guid, id, &input[..fixed - 1], (fixed - 1) as u32, out);
        assert_nt(answer.status, nt::INVALID_PARAMETER);
        assert_eq!(answer.used, 0, "method {id}");
    }
    // Declared sizes larger than the buffer, up to 0xFFFFFFFF, without overflow.
    let mut huge = set_psk(0, 0, 2, b"host", b"key");
    huge[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_nt(
        call(&machine, method::SET_PSK, &huge).status,
        nt::INVALID_PARAMETER,
    );
    let mut huge_key = set_psk(0, 0, 2, b"host", b"key");
    huge_key[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_nt(
        call(&machine, method::SET_PSK, &huge_key).status,
        nt::INVALID_PARAMETER,
    );
    let mut long_secret = sized(b"secret");
    long_secret[0..4].copy_from_slice(&7u32.to_le_bytes());
    assert_nt(
        call(&machine, method::SET_CHAP, &long_secret).status,
        nt::INVALID_PARAMETER,
    );
    assert!(machine.store_values().is_empty());
}

#[test]
fn rule_4_success_writes_the_whole_out_with_zero_padding_and_ignores_trailing_bytes() {
    let machine = booted();
    let mut padded = set_psk(0, 0x1, 2, b"pad.example", b"key");
    padded.extend_from_slice(&[0xEE; 40]);
    assert_eq!(
        out_status(&call(&machine, method::SET_PSK, &padded)),
        isdsc::SUCCESS
    );
    // The simulated buffer is 0xA5 beyond the input: GetPresharedKeyForId_OUT's four padding
    // bytes (4..8) must come back zero.
    let answer = machine.wmi_execute(
        &SECURITY,
        method::GET_PSK,
        &get_psk(0, 2, b"pad.example"),
        64,
    );
    assert_nt(answer.status, STATUS_SUCCESS);
    assert_eq!(answer.used, 16);
    assert_eq!(answer.out.len(), 16);
    assert_eq!(&answer.out[0..4], &[0, 0, 0, 0]);
    assert_eq!(&answer.out[4..8], &[0, 0, 0, 0], "padding zeroed");
    assert_eq!(
        u64::from_le_bytes(answer.out[8..16].try_into().unwrap()),
        0x1
    );
    // An error status is also a whole OUT with STATUS_SUCCESS at the transport level.
    let answer = machine.wmi_execute(
        &SECURITY,
        method::GET_PSK,
        &get_psk(9, 2, b"pad.example"),
        16,
    );
    assert_eq!(out_status(&answer), isdsc::INVALID_PORT_NUMBER);
    assert_eq!(&answer.out[4..16], &[0u8; 12]);
}

#[test]
fn clear_cache_with_no_buffer_at_all_is_rule_2_and_with_room_succeeds() {
    let machine = booted();
    // InBufferSize = OutBufferSize = 0: WMI passes a NULL buffer (FX `_ExecuteMethod`).
    let answer = machine.wmi_execute(&SECURITY, method::CLEAR_CACHE, &[], 0);
    assert_nt(answer.status, nt::BUFFER_TOO_SMALL);
    assert_eq!(answer.used, 4);
    let answer = machine.wmi_execute(&SECURITY, method::CLEAR_CACHE, &[], 4);
    assert_eq!(out_status(&answer), isdsc::SUCCESS);
}

#[test]
fn a_secret_in_the_in_buffer_is_wiped_whatever_the_outcome() {
    let machine = booted();
    let key = watched_key(&machine, 2);
    // Accepted, refused for the port, and refused for OutBufferSize: the simulation fails the
    // test if the key is still anywhere in the WMI buffer after the callback.
    call(
        &machine,
        method::SET_PSK,
        &set_psk(0, 0, 2, b"wipe.example", &key),
    );
    call(
        &machine,
        method::SET_PSK,
        &set_psk(7, 0, 2, b"wipe.example", &key),
    );
    machine.wmi_execute(
        &SECURITY,
        method::SET_PSK,
        &set_psk(0, 0, 2, b"wipe.example", &key),
        2,
    );
    call(&machine, method::SET_GROUP_KEY, &sized(&key[..20]));
    machine.assert_clean();
}
