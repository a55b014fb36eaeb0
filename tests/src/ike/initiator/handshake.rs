//! One phase-1 exchange as a state machine, without I/O: datagrams in, datagrams out.
//!
//! ```text
//!   initiator::drive (UDP, retransmit, bound) ──► Exchange (this file) ──► wire, crypto
//!        ▲                                            │
//!        └──── Step::Send(next) / Step::Done / Outcome ┘
//! ```
//!
//! [`Exchange::start`] builds message 1 with our one proposal; [`Exchange::handle`] takes each
//! answer and says what to send next, that the exchange is done, or why the answer is dropped
//! or ends the exchange. Every answer is untrusted: its SA, KE, nonce, ID and hash payloads
//! are checked before they are used, and `HASH_R` is compared in constant time.

use iscsisec_core::{KeyBuffer, KeySource};
use sha2::{Digest, Sha256};

use super::{Discard, Established, Identity, Phase1Error};
use crate::ike::crypto::{self, BLOCK_LEN, DhSecret, Phase1Keys, Transcript, constant_time_eq};
use crate::ike::wire::{
    Attribute, AttributeValue, Body, IdPayload, Message, Payload, Proposal, SaPayload, Transform,
    attribute, decode_payloads_padded, encode_payloads, exchange, flag, payload_type,
};

/// What the exchange wants done after an answer.
pub(super) enum Step {
    /// Send this request and wait for its answer.
    Send(Vec<u8>),
    /// Phase 1 is complete on our side; send `last` (aggressive mode's message 3) if any.
    Done { last: Option<Vec<u8>> },
}

/// Why an answer did not advance the exchange.
pub(super) enum Outcome {
    /// Drop it and keep waiting.
    Discard(Discard),
    /// The exchange failed.
    Fail(Phase1Error),
}

impl From<Discard> for Outcome {
    fn from(d: Discard) -> Outcome {
        Outcome::Discard(d)
    }
}

impl From<Phase1Error> for Outcome {
    fn from(e: Phase1Error) -> Outcome {
        Outcome::Fail(e)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Main mode: message 1 sent, awaiting the responder's SA.
    MainSa,
    /// Main mode: message 3 sent, awaiting KE and Nr.
    MainKe,
    /// Main mode: message 5 sent, awaiting IDir and HASH_R.
    MainAuth,
    /// Aggressive mode: message 1 sent, awaiting SA KE Nr IDir HASH_R.
    AggressiveAuth,
    /// Complete.
    Done,
}

const NONCE_LEN: usize = 32;
/// RFC 2409 §5: nonces of 8 to 256 bytes.
const NONCE_RANGE: std::ops::RangeInclusive<usize> = 8..=256;

/// Proposal values (RFC 2409 Appendix A, RFC 4868 for SHA2-256).
mod proposal {
    pub const DOI_IPSEC: u32 = 1;
    pub const SIT_IDENTITY_ONLY: u32 = 1;
    pub const PROTO_ISAKMP: u8 = 1;
    pub const KEY_IKE: u8 = 1;
    pub const AES_CBC: u64 = 7;
    pub const KEY_BITS: u64 = 128;
    pub const SHA2_256: u64 = 4;
    pub const PRESHARED_KEY: u64 = 1;
    pub const MODP_2048: u64 = 14;
    pub const LIFE_SECONDS: u16 = 1;
    pub const LIFE: u16 = 28_800;
}

/// The one transform we offer.
fn our_transform() -> Transform {
    let basic = |kind, v: u64| Attribute {
        kind,
        value: AttributeValue::Basic(u16::try_from(v).unwrap_or(u16::MAX)),
    };
    Transform {
        number: 1,
        id: proposal::KEY_IKE,
        attributes: vec![
            basic(attribute::ENCRYPTION, proposal::AES_CBC),
            basic(attribute::KEY_LENGTH, proposal::KEY_BITS),
            basic(attribute::HASH, proposal::SHA2_256),
            basic(attribute::AUTHENTICATION, proposal::PRESHARED_KEY),
            basic(attribute::GROUP, proposal::MODP_2048),
            basic(attribute::LIFE_TYPE, u64::from(proposal::LIFE_SECONDS)),
            basic(attribute::LIFE_DURATION, u64::from(proposal::LIFE)),
        ],
    }
}

fn our_sa() -> SaPayload {
    SaPayload {
        doi: proposal::DOI_IPSEC,
        situation: proposal::SIT_IDENTITY_ONLY,
        proposals: vec![Proposal {
            number: 1,
            protocol: proposal::PROTO_ISAKMP,
            spi: Vec::new(),
            transforms: vec![our_transform()],
        }],
    }
}

/// Checks the responder's SA: one proposal, one transform, our algorithms (life may differ).
fn check_chosen(sa: &SaPayload) -> Result<(), Phase1Error> {
    let reject = |s: &str| Err(Phase1Error::ProposalRejected(s.to_owned()));
    let [p] = sa.proposals.as_slice() else {
        return reject("not exactly one proposal");
    };
    let [t] = p.transforms.as_slice() else {
        return reject("not exactly one transform");
    };
    if sa.doi != proposal::DOI_IPSEC || p.protocol != proposal::PROTO_ISAKMP {
        return reject("another DOI or protocol");
    }
    let wanted = [
        (attribute::ENCRYPTION, proposal::AES_CBC, "encryption"),
        (attribute::KEY_LENGTH, proposal::KEY_BITS, "key length"),
        (attribute::HASH, proposal::SHA2_256, "hash"),
        (
            attribute::AUTHENTICATION,
            proposal::PRESHARED_KEY,
            "authentication",
        ),
        (attribute::GROUP, proposal::MODP_2048, "group"),
    ];
    for (kind, value, name) in wanted {
        if t.attribute(kind) != Some(value) {
            return Err(Phase1Error::ProposalRejected(format!(
                "{name} is {:?}, we offered {value}",
                t.attribute(kind)
            )));
        }
    }
    Ok(())
}

/// One phase-1 exchange, without I/O: [`Exchange::start`] gives the first datagram,
/// [`Exchange::handle`] takes each answer.
pub(super) struct Exchange {
    state: State,
    identity: Identity,
    key_source: KeySource,
    exchange_type: u8,
    cky_i: [u8; 8],
    cky_r: [u8; 8],
    sai_b: Vec<u8>,
    dh: DhSecret,
    ni: [u8; NONCE_LEN],
    idii: IdPayload,
    /// The looked-up key, until SKEYID is derived from it.
    psk: Option<KeyBuffer>,
    keys: Option<Phase1Keys>,
    gxr: Vec<u8>,
    /// The CBC chaining state: the IV for the next encrypted message.
    iv: [u8; BLOCK_LEN],
    responder_id: Option<IdPayload>,
}

impl Exchange {
    pub(super) fn start(
        aggressive: bool,
        identity: Identity,
        key_source: KeySource,
        psk: KeyBuffer,
    ) -> Result<(Exchange, Vec<u8>), Phase1Error> {
        let mut cky_i = [0u8; 8];
        while cky_i == [0; 8] {
            crypto::random(&mut cky_i).map_err(Phase1Error::Crypto)?;
        }
        let mut ni = [0u8; NONCE_LEN];
        crypto::random(&mut ni).map_err(Phase1Error::Crypto)?;
        let dh = DhSecret::generate().map_err(Phase1Error::Crypto)?;
        let sa = Payload::Sa(our_sa());
        let sai_b = sa.body().map_err(Phase1Error::Encode)?;
        let idii = IdPayload {
            id_type: identity.id_type(),
            protocol: 0,
            port: 0,
            data: identity.data(),
        };
        let (state, exchange_type, payloads) = if aggressive {
            (
                State::AggressiveAuth,
                exchange::AGGRESSIVE,
                vec![
                    sa,
                    Payload::Ke(dh.public().to_vec()),
                    Payload::Nonce(ni.to_vec()),
                    Payload::Id(idii.clone()),
                ],
            )
        } else {
            (State::MainSa, exchange::IDENTITY_PROTECTION, vec![sa])
        };
        let ex = Exchange {
            state,
            identity,
            key_source,
            exchange_type,
            cky_i,
            cky_r: [0; 8],
            sai_b,
            dh,
            ni,
            idii,
            psk: Some(psk),
            keys: None,
            gxr: Vec::new(),
            iv: [0; BLOCK_LEN],
            responder_id: None,
        };
        let first = ex.plain(payloads)?;
        Ok((ex, first))
    }

    /// The message awaited, for error reports.
    pub(super) fn awaiting(&self) -> &'static str {
        match self.state {
            State::MainSa => "main mode message 2 (SA)",
            State::MainKe => "main mode message 4 (KE, Nr)",
            State::MainAuth => "main mode message 6 (IDir, HASH_R)",
            State::AggressiveAuth => "aggressive mode message 2 (SA, KE, Nr, IDir, HASH_R)",
            State::Done => "nothing",
        }
    }

    pub(super) fn handle(&mut self, datagram: &[u8]) -> Result<Step, Outcome> {
        let msg = Message::decode(datagram).map_err(Discard::Malformed)?;
        if msg.initiator_cookie != self.cky_i {
            return Err(Discard::NotOurs.into());
        }
        if msg.exchange == exchange::INFORMATIONAL {
            return Err(self.informational(&msg));
        }
        if msg.exchange != self.exchange_type {
            return Err(Discard::Unexpected("another exchange type").into());
        }
        if msg.message_id != 0 {
            return Err(Discard::Unexpected("a phase-2 message id").into());
        }
        if self.state != State::MainSa
            && self.state != State::AggressiveAuth
            && msg.responder_cookie != self.cky_r
        {
            return Err(Discard::Unexpected("another responder cookie").into());
        }
        if msg.responder_cookie == [0; 8] {
            return Err(Discard::Unexpected("a zero responder cookie").into());
        }
        match self.state {
            State::MainSa => self.main_sa(&msg),
            State::MainKe => self.main_ke(&msg),
            State::MainAuth => self.main_auth(&msg),
            State::AggressiveAuth => self.aggressive_auth(&msg),
            State::Done => Err(Discard::Unexpected("a message after completion").into()),
        }
    }

    /// Main mode message 2: the chosen SA.
    fn main_sa(&mut self, msg: &Message) -> Result<Step, Outcome> {
        let sa = find_sa(msg.payloads()).ok_or(Discard::Unexpected("no SA payload"))?;
        check_chosen(sa)?;
        self.cky_r = msg.responder_cookie;
        self.state = State::MainKe;
        let next = self.plain(vec![
            Payload::Ke(self.dh.public().to_vec()),
            Payload::Nonce(self.ni.to_vec()),
        ])?;
        Ok(Step::Send(next))
    }

    /// Main mode message 4: KE and Nr; derive the keys and send IDii, HASH_I encrypted.
    fn main_ke(&mut self, msg: &Message) -> Result<Step, Outcome> {
        let (gxr, nr) = ke_and_nonce(msg.payloads())?;
        self.derive(&gxr, &nr)?;
        let hash_i = self.hash_i_and_first_iv()?;
        let next = self.encrypted(vec![Payload::Id(self.idii.clone()), Payload::Hash(hash_i)])?;
        self.state = State::MainAuth;
        Ok(Step::Send(next))
    }

    /// HASH_I over our IDii body, and the IV of the first encrypted message (RFC 2409
    /// Appendix B): what both modes need once the keys are derived.
    fn hash_i_and_first_iv(&mut self) -> Result<Vec<u8>, Outcome> {
        let keys = self.keys.as_ref().ok_or(Discard::Unexpected("no keys"))?;
        let idii_b = Payload::Id(self.idii.clone())
            .body()
            .map_err(Phase1Error::Encode)?;
        let hash_i = keys.hash_i(&self.transcript(), &idii_b).to_vec();
        self.iv = crypto::initial_iv(self.dh.public(), &self.gxr);
        Ok(hash_i)
    }

    /// Main mode message 6: decrypt, verify HASH_R.
    fn main_auth(&mut self, msg: &Message) -> Result<Step, Outcome> {
        let Body::Encrypted { first, ciphertext } = &msg.body else {
            return Err(Discard::Unexpected("message 6 not encrypted").into());
        };
        let keys = self.keys.as_ref().ok_or(Discard::Unexpected("no keys"))?;
        let plain = keys
            .decrypt(&self.iv, ciphertext)
            .map_err(Phase1Error::Crypto)?;
        let Ok(payloads) = decode_payloads_padded(*first, &plain) else {
            return Err(Phase1Error::Authentication {
                message: "main mode message 6",
                detail: "it does not decrypt into payloads with our keys",
            }
            .into());
        };
        let idir = find_id(&payloads).ok_or(Phase1Error::Authentication {
            message: "main mode message 6",
            detail: "no ID payload",
        })?;
        let hash_r = find_hash(&payloads).ok_or(Phase1Error::Authentication {
            message: "main mode message 6",
            detail: "no HASH payload",
        })?;
        self.verify_hash_r(idir, hash_r, "main mode message 6")?;
        self.iv = crypto::next_iv(ciphertext);
        self.responder_id = Some(idir.clone());
        self.state = State::Done;
        Ok(Step::Done { last: None })
    }

    /// Aggressive mode message 2: SA, KE, Nr, IDir, HASH_R; answer with HASH_I encrypted.
    fn aggressive_auth(&mut self, msg: &Message) -> Result<Step, Outcome> {
        let payloads = msg.payloads();
        let sa = find_sa(payloads).ok_or(Discard::Unexpected("no SA payload"))?;
        check_chosen(sa)?;
        let (gxr, nr) = ke_and_nonce(payloads)?;
        let idir = find_id(payloads).ok_or(Discard::Unexpected("no ID payload"))?;
        let hash_r = find_hash(payloads).ok_or(Discard::Unexpected("no HASH payload"))?;
        self.cky_r = msg.responder_cookie;
        self.derive(&gxr, &nr)?;
        self.verify_hash_r(idir, hash_r, "aggressive mode message 2")?;
        let hash_i = self.hash_i_and_first_iv()?;
        let last = self.encrypted(vec![Payload::Hash(hash_i)])?;
        self.responder_id = Some(idir.clone());
        self.state = State::Done;
        Ok(Step::Done { last: Some(last) })
    }

    /// An informational message: an error notification ends the exchange; anything else is
    /// dropped. An encrypted one is read with the phase-1 keys if we have them.
    fn informational(&self, msg: &Message) -> Outcome {
        let payloads = match &msg.body {
            Body::Plain(p) => p.clone(),
            Body::Encrypted { first, ciphertext } => {
                let Some(keys) = &self.keys else {
                    return Discard::Unexpected("an encrypted notification before keys exist")
                        .into();
                };
                // RFC 2409 Appendix B: IV = hash(last phase-1 CBC block | message id).
                let digest = Sha256::new()
                    .chain_update(self.iv)
                    .chain_update(msg.message_id.to_be_bytes())
                    .finalize();
                let mut iv = [0u8; BLOCK_LEN];
                for (d, s) in iv.iter_mut().zip(digest.iter()) {
                    *d = *s;
                }
                let decoded = keys
                    .decrypt(&iv, ciphertext)
                    .ok()
                    .and_then(|p| decode_payloads_padded(*first, &p).ok());
                match decoded {
                    Some(p) => p,
                    None => {
                        return Discard::Unexpected(
                            "an encrypted notification that does not decrypt with our keys \
                             (do the preshared keys differ?)",
                        )
                        .into();
                    }
                }
            }
        };
        let error = payloads.iter().find_map(|p| match p {
            // Types below 16384 are errors, public or private (RFC 2408 §3.14.1).
            Payload::Notify(n) if n.notify_type < 16_384 => Some(n.notify_type),
            _ => None,
        });
        match error {
            Some(notify_type) => Phase1Error::PeerNotify {
                awaiting: self.awaiting(),
                notify_type,
            }
            .into(),
            None => Discard::Unexpected("an informational message without an error").into(),
        }
    }

    fn derive(&mut self, gxr: &[u8], nr: &[u8]) -> Result<(), Phase1Error> {
        let gxy = self.dh.shared(gxr).map_err(Phase1Error::Crypto)?;
        // The key is used once, here, and its buffer wiped right after.
        let psk = self.psk.take().unwrap_or_default();
        let keys = Phase1Keys::derive(
            psk.expose_secret(),
            &self.ni,
            nr,
            gxy.as_ref(),
            &self.cky_i,
            &self.cky_r,
        );
        drop(psk);
        self.gxr = gxr.to_vec();
        self.keys = Some(keys);
        Ok(())
    }

    fn transcript(&self) -> Transcript<'_> {
        Transcript {
            gxi: self.dh.public(),
            gxr: &self.gxr,
            cky_i: &self.cky_i,
            cky_r: &self.cky_r,
            sai_b: &self.sai_b,
        }
    }

    fn verify_hash_r(
        &self,
        idir: &IdPayload,
        hash_r: &[u8],
        message: &'static str,
    ) -> Result<(), Phase1Error> {
        let keys = self.keys.as_ref().ok_or(Phase1Error::Authentication {
            message,
            detail: "no keys",
        })?;
        let idir_b = Payload::Id(idir.clone())
            .body()
            .map_err(Phase1Error::Encode)?;
        let expected = keys.hash_r(&self.transcript(), &idir_b);
        if constant_time_eq(&expected, hash_r) {
            Ok(())
        } else {
            Err(Phase1Error::Authentication {
                message,
                detail: "the responder's HASH_R does not verify",
            })
        }
    }

    fn plain(&self, payloads: Vec<Payload>) -> Result<Vec<u8>, Phase1Error> {
        Message {
            initiator_cookie: self.cky_i,
            responder_cookie: self.cky_r,
            exchange: self.exchange_type,
            flags: 0,
            message_id: 0,
            body: Body::Plain(payloads),
        }
        .encode()
        .map_err(Phase1Error::Encode)
    }

    /// Encrypts `payloads` under the current IV and advances the IV to the last block.
    fn encrypted(&mut self, payloads: Vec<Payload>) -> Result<Vec<u8>, Phase1Error> {
        let first = payloads.first().map_or(payload_type::NONE, Payload::kind);
        let plain =
            zeroize::Zeroizing::new(encode_payloads(&payloads).map_err(Phase1Error::Encode)?);
        let keys = self.keys.as_ref().ok_or(Phase1Error::Authentication {
            message: "encrypting",
            detail: "no keys",
        })?;
        let ciphertext = keys.encrypt(&self.iv, &plain);
        self.iv = crypto::next_iv(&ciphertext);
        Message {
            initiator_cookie: self.cky_i,
            responder_cookie: self.cky_r,
            exchange: self.exchange_type,
            flags: flag::ENCRYPTION,
            message_id: 0,
            body: Body::Encrypted { first, ciphertext },
        }
        .encode()
        .map_err(Phase1Error::Encode)
    }

    pub(super) fn established(&self) -> Result<Established, Phase1Error> {
        let responder_id = self
            .responder_id
            .clone()
            .ok_or(Phase1Error::Authentication {
                message: "completion",
                detail: "no responder ID",
            })?;
        Ok(Established {
            identity: self.identity.clone(),
            key_source: self.key_source,
            initiator_cookie: self.cky_i,
            responder_cookie: self.cky_r,
            responder_id,
            sent: 0,
            dropped: 0,
        })
    }
}

fn find_sa(payloads: &[Payload]) -> Option<&SaPayload> {
    payloads.iter().find_map(|p| match p {
        Payload::Sa(sa) => Some(sa),
        _ => None,
    })
}

fn find_id(payloads: &[Payload]) -> Option<&IdPayload> {
    payloads.iter().find_map(|p| match p {
        Payload::Id(id) => Some(id),
        _ => None,
    })
}

fn find_hash(payloads: &[Payload]) -> Option<&[u8]> {
    payloads.iter().find_map(|p| match p {
        Payload::Hash(h) => Some(h.as_slice()),
        _ => None,
    })
}

/// The KE and nonce payloads of an answer, checked for size.
fn ke_and_nonce(payloads: &[Payload]) -> Result<(Vec<u8>, Vec<u8>), Outcome> {
    let ke = payloads.iter().find_map(|p| match p {
        Payload::Ke(k) => Some(k),
        _ => None,
    });
    let nonce = payloads.iter().find_map(|p| match p {
        Payload::Nonce(n) => Some(n),
        _ => None,
    });
    let (Some(ke), Some(nonce)) = (ke, nonce) else {
        return Err(Discard::Unexpected("no KE or nonce payload").into());
    };
    if !NONCE_RANGE.contains(&nonce.len()) {
        return Err(Discard::Unexpected("a nonce outside 8..=256 bytes").into());
    }
    Ok((ke.clone(), nonce.clone()))
}
