//! What the model decides about types as a whole: which fields are boxed to break a cycle,
//! and which traits each type can derive.

use std::collections::{BTreeSet, HashMap};

use crate::model::{ArrayRule, Derives, TypeDef, TypeKind, TypeRef};

/// Boxes struct fields that would otherwise make a type contain itself.
pub(super) fn box_cycles(types: &mut [TypeDef]) {
    let edges: HashMap<String, Vec<String>> = types
        .iter()
        .map(|def| {
            let targets = match &def.kind {
                TypeKind::Struct { fields, .. } => fields
                    .iter()
                    .filter_map(|f| match f.ty.non_null() {
                        TypeRef::Named(n) => Some(n.clone()),
                        _ => None,
                    })
                    .collect(),
                TypeKind::Alias(TypeRef::Named(n)) => vec![n.clone()],
                _ => Vec::new(),
            };
            (def.name.clone(), targets)
        })
        .collect();
    let reaches = |from: &str, to: &str| -> bool {
        let mut stack = vec![from.to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(node) = stack.pop() {
            if node == to {
                return true;
            }
            if seen.insert(node.clone()) {
                stack.extend(edges.get(&node).into_iter().flatten().cloned());
            }
        }
        false
    };
    for def in types.iter_mut() {
        let owner = def.name.clone();
        if let TypeKind::Struct { fields, .. } = &mut def.kind {
            for field in fields.iter_mut() {
                if let TypeRef::Named(target) = field.ty.non_null() {
                    if reaches(target, &owner) {
                        let boxed = TypeRef::Boxed(Box::new(field.ty.non_null().clone()));
                        field.ty = match field.ty {
                            TypeRef::Nullable(_) => boxed.nullable(),
                            _ => boxed,
                        };
                    }
                }
            }
        }
    }
}

/// Decides which types derive `Eq` and `Hash`: start from "all can" and remove until stable,
/// so cycles between types settle.
pub(super) fn decide_derives(types: &mut [TypeDef]) {
    let mut known: HashMap<String, Derives> = types
        .iter()
        .map(|def| (def.name.clone(), Derives::ALL))
        .collect();
    loop {
        let mut changed = false;
        for def in types.iter() {
            let now = match &def.kind {
                TypeKind::Struct { fields, .. } => fields.iter().fold(Derives::ALL, |acc, f| {
                    let t = ref_derives(&f.ty, &known);
                    Derives {
                        eq: acc.eq && t.eq,
                        hash: acc.hash && t.hash,
                    }
                }),
                TypeKind::Alias(target) | TypeKind::Array(ArrayRule { items: target, .. }) => {
                    ref_derives(target, &known)
                }
                TypeKind::Enum { .. } | TypeKind::Integer(_) | TypeKind::Text(_) => Derives::ALL,
                // A float is neither `Eq` nor `Hash`.
                TypeKind::Number(_) => Derives::NONE,
            };
            if known.get(&def.name) != Some(&now) {
                known.insert(def.name.clone(), now);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for def in types.iter_mut() {
        let found = known.get(&def.name).copied().unwrap_or(Derives::NONE);
        // `Hash` only together with `Eq`.
        def.derives = Derives {
            eq: found.eq,
            hash: found.eq && found.hash,
        };
    }
}

fn ref_derives(ty: &TypeRef, known: &HashMap<String, Derives>) -> Derives {
    match ty {
        TypeRef::String | TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::Bytes => {
            Derives::ALL
        }
        TypeRef::F32 | TypeRef::F64 | TypeRef::Secret => Derives::NONE,
        // `serde_json` values are `Eq`; `Hash` only in recent versions, so not relied on.
        TypeRef::Json | TypeRef::JsonMap => Derives {
            eq: true,
            hash: false,
        },
        TypeRef::Named(name) => known.get(name).copied().unwrap_or(Derives::NONE),
        TypeRef::Vec(inner)
        | TypeRef::Map(inner)
        | TypeRef::Boxed(inner)
        | TypeRef::Nullable(inner) => ref_derives(inner, known),
    }
}
