//! Reading a prefetched value in one pass, while the hook request around it is parsed.
//!
//! The reference reading (`hooks::case_from_prefetch` over the value's text) takes a prefetched
//! value three times: the request keeps it as text, the Bundle's entries are cut out of it, and
//! each entry is read into its shape. For a chart with a full prefetch that was most of a hook's
//! cost (BENCHMARKS.md). Here the same shapes are read straight from the request, each resource
//! typed by its leading `resourceType`, which is how FHIR servers write it.
//!
//! This reading is strict where the reference is tolerant: anything it does not expect (a resource
//! not beginning with `resourceType`, an element of another type, a repeated member) fails it, and
//! the caller reads the request again the reference way, which then names the problem in a note
//! or an error. So a value read here gives exactly what the reference gives for it, and a value
//! that fails costs one more reading (the property test `crates/cramp-cds/tests/one_pass.rs`
//! compares the two on the example requests and on arbitrary changes to them).

use crate::shapes::{
    Condition, Medication, MedicationUse, Observation, OperationOutcome, Patient, QuestionnaireResponse, Str,
};
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// A resource in the shape cramp reads for its type (boxed: the shapes are large, and are moved
/// from the reading to the mapper).
#[derive(Debug)]
pub enum Typed<'a> {
    Patient(Box<Patient<'a>>),
    Condition(Box<Condition<'a>>),
    MedicationRequest(Box<MedicationUse<'a>>),
    MedicationStatement(Box<MedicationUse<'a>>),
    Medication(Box<Medication<'a>>),
    Observation(Box<Observation<'a>>),
    QuestionnaireResponse(Box<QuestionnaireResponse<'a>>),
    OperationOutcome(Box<OperationOutcome<'a>>),
    /// A type cramp does not read (Encounter, Practitioner, a Bundle inside a Bundle, …).
    Other,
}

/// One resource read: its type, id and shape, and where it was in its Bundle.
#[derive(Debug)]
pub struct ReadResource<'a> {
    pub resource_type: String,
    pub id: Option<Str<'a>>,
    /// For an entry of a Bundle: its index among the entries and its `fullUrl`.
    pub entry: Option<(usize, Option<String>)>,
    pub typed: Typed<'a>,
}

/// A prefetched value read in one pass: its resources (a Bundle's entries that have one, or the
/// value itself), and whether a Bundle said it has a next page.
#[derive(Debug)]
pub struct ReadValue<'a> {
    pub resources: Vec<ReadResource<'a>>,
    pub paged: bool,
}

/// Why this reading gave up (never shown: the reference reading then says what is wrong).
fn give_up<E: de::Error>(what: &str) -> E {
    E::custom(format_args!("not read in one pass: {what}"))
}

/// The first member's name, checked to be `resourceType` without keeping it.
struct IsResourceType;

impl<'de> DeserializeSeed<'de> for IsResourceType {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for IsResourceType {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == "resourceType")
    }
}

/// Reads a resource whose first member is `resourceType`; `bundle` says whether a Bundle is
/// read as one (a prefetched value) or as a resource cramp does not read (an entry).
struct ResourceVisitor {
    bundle: bool,
}

/// What a resource visitor returns: a resource, or a Bundle's entries.
enum Read<'a> {
    One(String, Option<Str<'a>>, Typed<'a>),
    Bundle(ReadValue<'a>),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BundleRest<'a> {
    #[serde(default, borrow)]
    entry: Vec<EntryRead<'a>>,
    #[serde(default)]
    link: Vec<crate::hooks::Link>,
    #[serde(rename = "resourceType")]
    repeated: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryRead<'a> {
    full_url: Option<String>,
    #[serde(borrow)]
    resource: Option<EntryResource<'a>>,
}

/// A Bundle entry's resource (a Bundle there is a resource cramp does not read).
struct EntryResource<'a>(String, Option<Str<'a>>, Typed<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for EntryResource<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_map(ResourceVisitor { bundle: false })? {
            Read::One(t, id, typed) => Ok(EntryResource(t, id, typed)),
            Read::Bundle(_) => Err(give_up("a Bundle read as an entry")),
        }
    }
}

/// The members cramp reads of a resource of another type: its id (a string, once), so that
/// the reference reading would also have accepted it as a resource.
#[derive(Deserialize)]
struct OtherRest<'a> {
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(rename = "resourceType")]
    repeated: Option<IgnoredAny>,
}

impl<'de> Visitor<'de> for ResourceVisitor {
    type Value = Read<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a FHIR resource")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Read<'de>, M::Error> {
        if map.next_key_seed(IsResourceType)? != Some(true) {
            return Err(give_up("the first member is not resourceType"));
        }
        let t: String = map.next_value()?;
        let rest = MapAccessDeserializer::new(map);
        // A repeated `resourceType` is left to the reference reading.
        macro_rules! shape {
            ($shape:ty, $variant:ident) => {{
                let v = <$shape>::deserialize(rest)?;
                if v.resource_type.is_some() {
                    return Err(give_up("resourceType repeated"));
                }
                let mut v = v;
                // The label's id; a Medication keeps its own (references name it).
                let id = if stringify!($variant) == "Medication" {
                    v.id.clone()
                } else {
                    v.id.take()
                };
                (id, Typed::$variant(Box::new(v)))
            }};
        }
        let (id, typed) = match t.as_str() {
            "Bundle" if self.bundle => {
                let b = BundleRest::deserialize(rest)?;
                if b.repeated.is_some() {
                    return Err(give_up("resourceType repeated"));
                }
                let paged = b.link.iter().any(|l| l.relation.as_deref() == Some("next"));
                let resources = b
                    .entry
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, e)| {
                        e.resource.map(|EntryResource(resource_type, id, typed)| ReadResource {
                            resource_type,
                            id,
                            entry: Some((i, e.full_url)),
                            typed,
                        })
                    })
                    .collect();
                return Ok(Read::Bundle(ReadValue { resources, paged }));
            }
            "Patient" => shape!(Patient, Patient),
            "Condition" => shape!(Condition, Condition),
            "MedicationRequest" => shape!(MedicationUse, MedicationRequest),
            "MedicationStatement" => shape!(MedicationUse, MedicationStatement),
            "Medication" => shape!(Medication, Medication),
            "Observation" => shape!(Observation, Observation),
            "QuestionnaireResponse" => shape!(QuestionnaireResponse, QuestionnaireResponse),
            "OperationOutcome" => shape!(OperationOutcome, OperationOutcome),
            _ => {
                let o = OtherRest::deserialize(rest)?;
                if o.repeated.is_some() {
                    return Err(give_up("resourceType repeated"));
                }
                (o.id, Typed::Other)
            }
        };
        Ok(Read::One(t, id, typed))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ReadValue<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match d.deserialize_map(ResourceVisitor { bundle: true })? {
            Read::Bundle(v) => v,
            Read::One(resource_type, id, typed) => ReadValue {
                resources: vec![ReadResource {
                    resource_type,
                    id,
                    entry: None,
                    typed,
                }],
                paged: false,
            },
        })
    }
}
