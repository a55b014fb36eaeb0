//! The SA payload's nested structures (RFC 2408 §3.4–3.6, RFC 2407 §4.6): proposals, their
//! transforms, and the transforms' attributes.
//!
//! ```text
//!   wire::Payload::Sa ──► sa (this file): SaPayload ─► Proposal* ─► Transform* ─► Attribute*
//! ```
//!
//! Each level is a chain of generic headers of one type, walked by `wire::split_chain` and
//! written by `wire::push_chain`; a proposal must hold as many transforms as it says.

use super::{
    Attribute, AttributeValue, DecodeError, EncodeError, Proposal, Reader, SaPayload, Transform,
    attribute, payload_type, push_chain, split_chain,
};

impl SaPayload {
    pub(super) fn decode_body(body: &[u8]) -> Result<SaPayload, DecodeError> {
        let mut r = Reader::new(body, "SA payload");
        let doi = r.u32()?;
        let situation = r.u32()?;
        let proposals = split_chain(payload_type::PROPOSAL, "proposal", r.rest())?
            .into_iter()
            .map(Proposal::decode_body)
            .collect::<Result<_, _>>()?;
        Ok(SaPayload {
            doi,
            situation,
            proposals,
        })
    }

    pub(super) fn encode_body(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.doi.to_be_bytes());
        out.extend_from_slice(&self.situation.to_be_bytes());
        let proposals = self
            .proposals
            .iter()
            .map(Proposal::encode_body)
            .collect::<Result<Vec<_>, _>>()?;
        push_chain(&mut out, payload_type::PROPOSAL, &proposals, "proposal")?;
        Ok(out)
    }
}

impl Proposal {
    pub(super) fn decode_body(body: &[u8]) -> Result<Proposal, DecodeError> {
        let mut r = Reader::new(body, "proposal");
        let number = r.u8()?;
        let protocol = r.u8()?;
        let spi_size = r.u8()?;
        let declared = r.u8()?;
        let spi = r.bytes(usize::from(spi_size))?.to_vec();
        let transforms: Vec<Transform> =
            split_chain(payload_type::TRANSFORM, "transform", r.rest())?
                .into_iter()
                .map(Transform::decode_body)
                .collect::<Result<_, _>>()?;
        if usize::from(declared) != transforms.len() {
            return Err(DecodeError::TransformCount {
                declared,
                found: transforms.len(),
            });
        }
        Ok(Proposal {
            number,
            protocol,
            spi,
            transforms,
        })
    }

    pub(super) fn encode_body(&self) -> Result<Vec<u8>, EncodeError> {
        let spi_size = u8::try_from(self.spi.len()).map_err(|_| EncodeError { what: "SPI" })?;
        let count = u8::try_from(self.transforms.len()).map_err(|_| EncodeError {
            what: "transform list",
        })?;
        let mut out = vec![self.number, self.protocol, spi_size, count];
        out.extend_from_slice(&self.spi);
        let transforms: Vec<Vec<u8>> = self
            .transforms
            .iter()
            .map(Transform::encode_body)
            .collect::<Result<_, _>>()?;
        push_chain(&mut out, payload_type::TRANSFORM, &transforms, "transform")?;
        Ok(out)
    }
}

impl Transform {
    pub(super) fn decode_body(body: &[u8]) -> Result<Transform, DecodeError> {
        let mut r = Reader::new(body, "transform");
        let number = r.u8()?;
        let id = r.u8()?;
        if r.u16()? != 0 {
            return Err(DecodeError::Reserved { what: "transform" });
        }
        let mut attributes = Vec::new();
        while !r.is_empty() {
            let raw = r.u16()?;
            let kind = raw & !attribute::FORMAT_TV;
            let value = if raw & attribute::FORMAT_TV != 0 {
                AttributeValue::Basic(r.u16()?)
            } else {
                let len = r.u16()?;
                AttributeValue::Variable(r.bytes(usize::from(len))?.to_vec())
            };
            attributes.push(Attribute { kind, value });
        }
        Ok(Transform {
            number,
            id,
            attributes,
        })
    }

    pub(super) fn encode_body(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = vec![self.number, self.id, 0, 0];
        for a in &self.attributes {
            match &a.value {
                AttributeValue::Basic(v) => {
                    out.extend_from_slice(&(a.kind | attribute::FORMAT_TV).to_be_bytes());
                    out.extend_from_slice(&v.to_be_bytes());
                }
                AttributeValue::Variable(v) => {
                    let len =
                        u16::try_from(v.len()).map_err(|_| EncodeError { what: "attribute" })?;
                    out.extend_from_slice(&(a.kind & !attribute::FORMAT_TV).to_be_bytes());
                    out.extend_from_slice(&len.to_be_bytes());
                    out.extend_from_slice(v);
                }
            }
        }
        Ok(out)
    }

    /// The value of attribute `kind` as a number (basic, or variable of at most 8 bytes).
    #[must_use]
    pub fn attribute(&self, kind: u16) -> Option<u64> {
        let a = self.attributes.iter().find(|a| a.kind == kind)?;
        match &a.value {
            AttributeValue::Basic(v) => Some(u64::from(*v)),
            AttributeValue::Variable(v) if v.len() <= 8 => {
                Some(v.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
            }
            AttributeValue::Variable(_) => None,
        }
    }
}
