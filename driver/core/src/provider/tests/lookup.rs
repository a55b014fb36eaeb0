//! SPEC §5: the lookup's precedence (this port, all ports, the group key).

use super::*;

#[test]
fn lookup_precedence_table() {
    let mut p = provider();
    let id = fqdn("init.example");
    let (p0, p1, all) = (
        PortSelector::Port(0),
        PortSelector::Port(1),
        PortSelector::All,
    );
    assert_eq!(look(&p, p0, &id), Err(LookupMiss::NoKey));
    assert_eq!(group(&mut p, b"G"), IsdscStatus::SUCCESS);
    assert_eq!(look(&p, p0, &id), Ok((KeySource::Group, b"G".to_vec())));
    assert_eq!(look(&p, all, &id), Ok((KeySource::Group, b"G".to_vec())));
    assert_eq!(
        set_psk(&mut p, ALL, 1, 2, b"init.example", b"A"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(look(&p, p0, &id), Ok((KeySource::AllPorts, b"A".to_vec())));
    assert_eq!(look(&p, all, &id), Ok((KeySource::AllPorts, b"A".to_vec())));
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"init.example", b"P"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(look(&p, p0, &id), Ok((KeySource::Port, b"P".to_vec())));
    assert_eq!(look(&p, p1, &id), Ok((KeySource::AllPorts, b"A".to_vec())));
    assert_eq!(look(&p, all, &id), Ok((KeySource::AllPorts, b"A".to_vec())));
    // Another id type with the same text is another identifier.
    let user = Identifier::parse(3, b"init.example").unwrap();
    assert_eq!(look(&p, p0, &user), Ok((KeySource::Group, b"G".to_vec())));
    assert_eq!(group(&mut p, b""), IsdscStatus::SUCCESS);
    assert_eq!(look(&p, p0, &user), Err(LookupMiss::NoKey));
    // Everything survives a restart.
    let p = restart(p);
    assert_eq!(look(&p, p0, &id), Ok((KeySource::Port, b"P".to_vec())));
    assert_eq!(look(&p, p1, &id), Ok((KeySource::AllPorts, b"A".to_vec())));
}
