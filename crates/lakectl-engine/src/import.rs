//! Adopting on purpose: a resource that exists under the name the stack declares but that
//! nobody owns becomes ours by a state record. Nothing is changed in AWS; the next plan shows
//! what deploy will change to make it match the stack (its ownership tags, at least).

use crate::engine::Engine;
use crate::error::EngineError;
use crate::observe::{Target, observe_all};
use crate::ownership::{Claim, Ownership, ownership};
use crate::state::{RecordStatus, ResourceRecord, StackEnv};
use lakectl_core::{Address, DesiredStack, Observation};

/// What importing one address did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// It is now owned by this stack/env.
    Adopted {
        /// The logical address.
        address: Address,
        /// The kind.
        kind: String,
        /// The physical name.
        name: String,
    },
    /// It was ours already; nothing was written.
    AlreadyOwned {
        /// The logical address.
        address: Address,
        /// The kind.
        kind: String,
        /// The physical name.
        name: String,
    },
}

/// Imports `addresses` of `desired`. Every address is checked before any record is written,
/// so a bad one leaves the state as it was.
pub(crate) async fn import(
    engine: &Engine,
    desired: &DesiredStack,
    addresses: &[Address],
    concurrency: usize,
) -> Result<Vec<Imported>, EngineError> {
    let at = StackEnv::of(desired);
    let mut targets = Vec::with_capacity(addresses.len());
    for address in addresses {
        let r = desired
            .resources
            .get(address)
            .ok_or_else(|| EngineError::UnknownAddress {
                address: address.to_string(),
                known: desired
                    .resources
                    .keys()
                    .map(Address::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        targets.push(Target {
            address: address.clone(),
            provider: engine.provider(address, &r.kind)?,
            name: r.name.clone(),
        });
    }
    let records = engine.records(&at).await?;
    let observed = observe_all(targets, concurrency, engine.progress.clone()).await?;

    let mut decided = Vec::with_capacity(addresses.len());
    for (address, observation) in addresses.iter().zip(observed) {
        let r = &desired.resources[address];
        let Observation::Exists(live) = observation else {
            return Err(EngineError::NothingToImport {
                address: address.clone(),
                kind: r.kind.clone(),
                name: r.name.clone(),
            });
        };
        let record = records.iter().find(|rec| rec.address == *address);
        if let Some(rec) = record.filter(|rec| rec.kind != r.kind || rec.name != r.name) {
            return Err(EngineError::AddressTaken {
                address: address.clone(),
                kind: rec.kind.clone(),
                name: rec.name.clone(),
            });
        }
        let claim = Claim {
            stack: &at.stack,
            env: &at.env,
            address,
            kind: &r.kind,
            name: &r.name,
            former: &r.moved_from,
        };
        let taggable = engine.provider(address, &r.kind)?.schema().taggable;
        let (address, kind, name) = (address.clone(), r.kind.clone(), r.name.clone());
        match ownership(&claim, taggable, &live.spec, record) {
            Ownership::Ours => decided.push((
                Imported::AlreadyOwned {
                    address,
                    kind,
                    name,
                },
                None,
            )),
            Ownership::Foreign { owner: Some(owner) } => {
                return Err(EngineError::OwnedElsewhere {
                    address,
                    kind,
                    name,
                    owner,
                });
            }
            Ownership::Foreign { owner: None } => {
                let new = ResourceRecord {
                    address: address.clone(),
                    kind: kind.clone(),
                    name: name.clone(),
                    status: RecordStatus::Owned,
                    depends_on: r.depends_on().into_iter().collect(),
                    attributes: live.attributes,
                    removal_policy: None,
                };
                decided.push((
                    Imported::Adopted {
                        address,
                        kind,
                        name,
                    },
                    Some(new),
                ));
            }
        }
    }

    let mut done = Vec::with_capacity(decided.len());
    for (outcome, record) in decided {
        if let Some(record) = record {
            engine.state.put_record(&at, &record).await.map_err(|e| {
                EngineError::state(format!("recording the import of {}", record.address), e)
            })?;
        }
        done.push(outcome);
    }
    Ok(done)
}
