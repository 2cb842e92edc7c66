//! The JSON Schema (draft-07) of stack files and env files, generated from the kinds' own
//! schemas, so that YAML editors complete and check them as they are typed. The loader stays
//! the judge: the schema accepts `${...}` wherever a value may be an expression, and says
//! nothing of references, names or cycles.

use lakectl_core::schema::{Prop, Schema, Type};
use serde_json::{Map, Value, json};

const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

/// Any string holding a `${...}` expression: a var, a reference, a file or an asset.
fn expression() -> Value {
    json!({"type": "string", "pattern": "\\$\\{"})
}

/// `schema`, or an expression that gives such a value when evaluated.
fn or_expression(schema: Value) -> Value {
    json!({"anyOf": [schema, expression()]})
}

fn object(props: &[Prop]) -> Value {
    let properties: Map<String, Value> = props
        .iter()
        .map(|p| (p.name.to_string(), prop(p)))
        .collect();
    let required: Vec<&str> = props
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    let mut o = json!({"type": "object", "properties": properties, "additionalProperties": false});
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o
}

fn of_type(ty: &Type) -> Value {
    match ty {
        Type::String => json!({"type": "string"}),
        Type::Bool => or_expression(json!({"type": "boolean"})),
        Type::Int { min, max } => {
            or_expression(json!({"type": "integer", "minimum": min, "maximum": max}))
        }
        Type::Enum(options) => or_expression(json!({"enum": options})),
        Type::List(item) => or_expression(json!({"type": "array", "items": of_type(item)})),
        Type::Set(item) => {
            or_expression(json!({"type": "array", "items": of_type(item), "uniqueItems": true}))
        }
        Type::Map(value) => {
            or_expression(json!({"type": "object", "additionalProperties": of_type(value)}))
        }
        Type::Object(props) => or_expression(object(props)),
        Type::Keyed { props, .. } => {
            or_expression(json!({"type": "array", "items": object(props)}))
        }
        Type::Json => json!({}),
    }
}

fn prop(p: &Prop) -> Value {
    let mut s = of_type(&p.ty);
    let mut doc = p.doc.to_string();
    if p.immutable {
        doc.push_str(" Changing it replaces the resource.");
    }
    s["description"] = json!(doc.clone());
    match &p.default {
        // Unset, which may be written out as `null`.
        Some(serde_json::Value::Null) => {
            s = json!({"anyOf": [s, {"type": "null"}], "description": doc});
        }
        Some(d) => s["default"] = d.clone(),
        None => {}
    }
    s
}

fn definition_name(kind: &str) -> String {
    format!("kind:{kind}")
}

/// What a resource (or a construct member) may say.
fn resource(schemas: &[Schema]) -> Value {
    let kinds: Vec<&str> = schemas.iter().map(|s| s.kind).collect();
    let by_kind: Vec<Value> = schemas
        .iter()
        .map(|s| {
            json!({
                "if": {"properties": {"kind": {"const": s.kind}}, "required": ["kind"]},
                "then": {"properties": {"properties": {"$ref": format!("#/definitions/{}", definition_name(s.kind))}}},
            })
        })
        .collect();
    json!({
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {
                "description": "The resource kind, or `lake.NAME` for a use of the construct NAME.",
                "anyOf": [{"enum": kinds}, {"type": "string", "pattern": "^lake\\.[a-z_][a-z0-9_]*$"}],
            },
            "for_each": {
                "description": "One instance per item of a list, or per key of a mapping: `${var.customers}`.",
                "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}, expression()],
            },
            "depends_on": {
                "description": "Resources to wait for besides the ones referenced.",
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            },
            "removal_policy": {
                "description": "When it leaves the stack: `retain` leaves it in AWS and forgets it, `destroy` deletes it.",
                "enum": ["retain", "destroy"],
            },
            "properties": {"type": "object", "description": "The kind's properties (see docs/kinds/)."},
        },
        "additionalProperties": false,
        "allOf": by_kind,
    })
}

/// The schema of a stack file, over these kinds.
pub fn stack_schema(schemas: &[Schema]) -> Value {
    let mut definitions: Map<String, Value> = schemas
        .iter()
        .map(|s| {
            let mut o = object(&s.props);
            o["description"] = json!(s.description);
            (definition_name(s.kind), o)
        })
        .collect();
    definitions.insert("resource".into(), resource(schemas));
    let address = json!({"type": "string", "description": "A resource address as the plan shows it: `raw`, `bucket[acme]`, `tenant[acme].raw`."});
    json!({
        "$schema": DRAFT,
        "title": "lakectl stack file",
        "description": "A stack file of lakectl (stacks/*.yaml); the format is crates/lakectl-config/README.md.",
        "type": "object",
        "required": ["stack"],
        "properties": {
            "stack": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "description": "The stack's name, the same in every file."},
            "vars": {"type": "object", "description": "Variables with their defaults; an env file or --var may override them."},
            "assets_bucket": {"type": "string", "description": "The s3.bucket resource that files used as ${asset:PATH} go to."},
            "resources": {"type": "object", "additionalProperties": {"$ref": "#/definitions/resource"}},
            "constructs": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "description": {"type": "string"},
                        "resources": {"type": "object", "additionalProperties": {"$ref": "#/definitions/resource"}},
                    },
                    "additionalProperties": false,
                },
            },
            "outputs": {"type": "object", "description": "Named values, usually references: `${table.arn}`."},
            "moved": {
                "type": "array",
                "description": "Resources given a new address: they keep their physical resource and data.",
                "items": {
                    "type": "object",
                    "required": ["from", "to"],
                    "properties": {"from": address, "to": address},
                    "additionalProperties": false,
                },
            },
        },
        "additionalProperties": false,
        "definitions": definitions,
    })
}

/// The schema of an env file (`stacks/env/<env>.yaml`).
pub fn env_schema() -> Value {
    json!({
        "$schema": DRAFT,
        "title": "lakectl env file",
        "description": "An env file of lakectl (stacks/env/ENV.yaml).",
        "type": "object",
        "required": ["region"],
        "properties": {
            "region": {"type": "string", "pattern": "^[a-z]+(-[a-z]+)+-[0-9]+$", "description": "The AWS region, e.g. `eu-west-1`."},
            "account_id": {"type": "string", "pattern": "^[0-9]{12}$", "description": "The only account this env may be deployed into (quote it)."},
            "endpoint": {"type": "string", "pattern": "^https?://", "description": "An endpoint URL: the local emulator."},
            "emulator": {"type": "boolean", "description": "It is a local emulator: its test credentials are used when the shell has none."},
            "removal_policy": {"enum": ["retain", "destroy"], "description": "`retain` leaves buckets and tables that leave the stack in AWS; `destroy` deletes them."},
            "vars": {"type": "object", "description": "Values for vars the stack files declare."},
        },
        "additionalProperties": false,
    })
}
