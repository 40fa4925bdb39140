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

impl<'a> Typed<'a> {
    /// Reads a resource of `resource_type` into its shape: the one list of the types cramp reads,
    /// for both readings. Any other type is `Other`, and `d` is left unread.
    pub(crate) fn read<'de: 'a, D: Deserializer<'de>>(resource_type: &str, d: D) -> Result<Typed<'a>, D::Error> {
        fn shape<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Box<T>, D::Error> {
            T::deserialize(d).map(Box::new)
        }
        Ok(match resource_type {
            "Patient" => Typed::Patient(shape(d)?),
            "Condition" => Typed::Condition(shape(d)?),
            "MedicationRequest" => Typed::MedicationRequest(shape(d)?),
            "MedicationStatement" => Typed::MedicationStatement(shape(d)?),
            "Medication" => Typed::Medication(shape(d)?),
            "Observation" => Typed::Observation(shape(d)?),
            "QuestionnaireResponse" => Typed::QuestionnaireResponse(shape(d)?),
            "OperationOutcome" => Typed::OperationOutcome(shape(d)?),
            _ => Typed::Other,
        })
    }

    /// The id for the resource's label (taken; a Medication and a Condition keep their own, which
    /// references name), and whether `resourceType` came again among the members its shape read.
    fn label_id(&mut self) -> (Option<Str<'a>>, bool) {
        match self {
            Typed::Patient(v) => (v.id.take(), v.resource_type.is_some()),
            // A Condition keeps its id too: an order's reasonReference names it.
            Typed::Condition(v) => (v.id.clone(), v.resource_type.is_some()),
            Typed::MedicationRequest(v) | Typed::MedicationStatement(v) => (v.id.take(), v.resource_type.is_some()),
            Typed::Medication(v) => (v.id.clone(), v.resource_type.is_some()),
            Typed::Observation(v) => (v.id.take(), v.resource_type.is_some()),
            Typed::QuestionnaireResponse(v) => (v.id.take(), v.resource_type.is_some()),
            Typed::OperationOutcome(v) => (v.id.take(), v.resource_type.is_some()),
            Typed::Other => (None, false),
        }
    }
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
        if t == "Bundle" && self.bundle {
            let b = BundleRest::deserialize(MapAccessDeserializer::new(map))?;
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
        let mut typed = Typed::read(&t, MapAccessDeserializer::new(&mut map))?;
        let (id, repeated) = match typed {
            // A type cramp does not read: its id, from the members left.
            Typed::Other => {
                let o = OtherRest::deserialize(MapAccessDeserializer::new(map))?;
                (o.id, o.repeated.is_some())
            }
            _ => typed.label_id(),
        };
        // A repeated `resourceType` is left to the reference reading.
        if repeated {
            return Err(give_up("resourceType repeated"));
        }
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
