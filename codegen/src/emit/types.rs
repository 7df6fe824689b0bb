//! Named types: structs, string enums, validated integers, numbers and strings.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::{code_doc_attrs, doc_attrs, inner_docs, Emitter};
use crate::build::names::ident;
use crate::model::{
    ArrayRule, IntegerAlternative, IntegerRule, LengthRule, NumberRule, TypeDef, TypeKind, TypeRef,
    Variant,
};

impl Emitter<'_> {
    pub fn types(&self, source: &str) -> TokenStream {
        let docs = inner_docs(&format!("Schemas of `{source}`."));
        let items = self.api.types.iter().map(|def| self.type_def(def));
        quote! {
            #docs
            #( #items )*
        }
    }

    /// The derive list of a struct: `Eq` and `Hash` as the model decided.
    fn derives(def: &TypeDef) -> TokenStream {
        let eq = def.derives.eq.then(|| quote! { Eq, });
        let hash = def.derives.hash.then(|| quote! { Hash, });
        quote! { #[derive(Debug, Clone, PartialEq, #eq #hash serde::Serialize, serde::Deserialize)] }
    }

    fn type_def(&self, def: &TypeDef) -> TokenStream {
        let docs = doc_attrs(def.doc.as_deref());
        let refusal = self
            .doc_root
            .as_deref()
            .and_then(|root| super::examples::refusal(root, def))
            .map(|lines| {
                let mut all = vec![String::new()];
                all.extend(lines);
                code_doc_attrs(&all)
            });
        let name = ident(&def.name);
        match &def.kind {
            TypeKind::Struct {
                fields,
                deny_unknown,
            } => {
                let derives = Self::derives(def);
                let deny = deny_unknown.then(|| quote! { #[serde(deny_unknown_fields)] });
                let fields = fields.iter().map(|field| {
                    let docs = doc_attrs(field.doc.as_deref());
                    let field_name = ident(&field.name);
                    let ty = self.ty(&field.ty);
                    let rename = (field.wire != field.name).then(|| {
                        let wire = &field.wire;
                        quote! { rename = #wire, }
                    });
                    let nullable = matches!(field.ty, TypeRef::Nullable(_));
                    if field.flatten {
                        quote! { #docs #[serde(flatten)] pub #field_name: #ty, }
                    } else if field.required && nullable {
                        // Always serialized (`null` for `None`); absence reads as `None` too.
                        quote! { #docs #[serde(#rename default)] pub #field_name: #ty, }
                    } else if field.required {
                        let serde = rename.map(|rename| quote! { #[serde(#rename)] });
                        quote! { #docs #serde pub #field_name: #ty, }
                    } else {
                        // Optional (nullable or not): one `Option`; `null` and absence both
                        // read as `None`, which is written as absence.
                        let ty = self.ty(field.ty.non_null());
                        quote! {
                            #docs
                            #[serde(#rename default, skip_serializing_if = "Option::is_none")]
                            pub #field_name: Option<#ty>,
                        }
                    }
                });
                quote! {
                    #docs
                    #derives
                    #deny
                    pub struct #name { #( #fields )* }
                }
            }
            TypeKind::Alias(target) => {
                let target = self.ty(target);
                quote! { #docs pub type #name = #target; }
            }
            TypeKind::Enum { variants } => self.string_enum(&def.name, docs, variants),
            TypeKind::Integer(rule) => self.integer(&def.name, docs, rule, refusal),
            TypeKind::Number(rule) => self.number(&def.name, docs, rule, refusal),
            TypeKind::Text(rule) => self.text(&def.name, docs, rule, refusal),
            TypeKind::Array(rule) => self.array(def, docs, rule),
        }
    }

    fn string_enum(&self, type_name: &str, docs: TokenStream, variants: &[Variant]) -> TokenStream {
        let rt = &self.rt;
        let name = ident(type_name);
        let count = Literal::usize_unsuffixed(variants.len());
        let idents: Vec<_> = variants.iter().map(|v| ident(&v.name)).collect();
        let wires: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
        let defs = variants.iter().map(|v| {
            let variant = ident(&v.name);
            let doc = format!(" `{}`", v.wire);
            let wire = &v.wire;
            let rename = (v.wire != v.name).then(|| quote! { #[serde(rename = #wire)] });
            quote! { #[doc = #doc] #rename #variant, }
        });
        let listed: Vec<String> = wires.iter().map(|w| format!("`{w}`")).collect();
        let rule = format!("must be one of {}", listed.join(", "));
        quote! {
            #docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
            pub enum #name { #( #defs )* }

            impl #name {
                /// Every value, in the order of the spec.
                pub const ALL: [#name; #count] = [ #( #name::#idents ),* ];

                /// The value on the wire.
                #[must_use]
                pub fn as_str(self) -> &'static str {
                    match self { #( #name::#idents => #wires, )* }
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl std::str::FromStr for #name {
                type Err = #rt::ConstraintError;

                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    Self::ALL
                        .into_iter()
                        .find(|candidate| candidate.as_str() == value)
                        .ok_or_else(|| #rt::ConstraintError {
                            type_name: #type_name,
                            value: value.to_owned(),
                            rule: #rule,
                        })
                }
            }
        }
    }

    fn integer(
        &self,
        type_name: &str,
        docs: TokenStream,
        rule: &IntegerRule,
        example: Option<TokenStream>,
    ) -> TokenStream {
        let rt = &self.rt;
        let name = ident(type_name);
        let inner = if rule.int32 {
            quote! { i32 }
        } else {
            quote! { i64 }
        };
        let inner_name = if rule.int32 { "i32" } else { "i64" };
        let rule_text = rule.describe();
        let only_multiple = rule.multiple_of.is_some()
            && matches!(
                rule.alternatives.as_slice(),
                [IntegerAlternative::Range(None, None)]
            );
        let checks =
            rule.alternatives.iter().filter(|_| !only_multiple).map(
                |alternative| match alternative {
                    IntegerAlternative::Values(values) => {
                        let literals: Vec<TokenStream> =
                            values.iter().map(|v| int_literal(*v)).collect();
                        match literals.as_slice() {
                            [one] => quote! { value == #one },
                            many => quote! { [#( #many ),*].contains(&value) },
                        }
                    }
                    IntegerAlternative::Range(Some(min), Some(max)) => {
                        let (min, max) = (int_literal(*min), int_literal(*max));
                        quote! { (#min..=#max).contains(&value) }
                    }
                    IntegerAlternative::Range(Some(min), None) => {
                        let min = int_literal(*min);
                        quote! { value >= #min }
                    }
                    IntegerAlternative::Range(None, Some(max)) => {
                        let max = int_literal(*max);
                        quote! { value <= #max }
                    }
                    IntegerAlternative::Range(None, None) => quote! { true },
                },
            );
        let checks: Vec<TokenStream> = checks.collect();
        let multiple = rule.multiple_of.map(|m| {
            let m = int_literal(m);
            quote! { value % #m == 0 }
        });
        let allowed = match (checks.as_slice(), multiple) {
            ([], Some(multiple)) => multiple,
            ([one], Some(multiple)) => quote! { #one && #multiple },
            (many, Some(multiple)) => quote! { (#( #many )||*) && #multiple },
            (many, None) => quote! { #( #many )||* },
        };
        let from_inner = rule.int32.then(|| {
            quote! {
                impl TryFrom<i32> for #name {
                    type Error = #rt::ConstraintError;

                    fn try_from(value: i32) -> Result<Self, Self::Error> {
                        Self::try_from(i64::from(value))
                    }
                }
            }
        });
        let convert = if rule.int32 {
            quote! { i32::try_from(value).ok() }
        } else {
            quote! { Some(value) }
        };
        let holds = format!(" Holds only allowed values: it {rule_text}.");
        let separator = (!docs.is_empty()).then(|| quote! { #[doc = ""] });
        let wide = quote! { i64 };
        let (head, tail) = self.numeric_impls(&name, type_name, &rule_text, &inner, &wide);
        quote! {
            #docs
            #separator
            #[doc = #holds]
            #example
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
            #[serde(try_from = "i64", into = #inner_name)]
            pub struct #name(#inner);

            #head

            impl TryFrom<i64> for #name {
                type Error = #rt::ConstraintError;

                fn try_from(value: i64) -> Result<Self, Self::Error> {
                    let allowed = #allowed;
                    match #convert {
                        Some(inner) if allowed => Ok(#name(inner)),
                        _ => Err(#rt::ConstraintError {
                            type_name: #type_name,
                            value: value.to_string(),
                            rule: Self::RULE,
                        }),
                    }
                }
            }

            #from_inner

            #tail
        }
    }

    /// What the integer and number newtypes share, around their own `TryFrom<wide>`: before
    /// it, `RULE`, `new` (taking the wide type, `i64` or `f64`) and `get`; after it, `From`
    /// into the held type, `Display`, and `FromStr` through the wide type.
    fn numeric_impls(
        &self,
        name: &Ident,
        type_name: &str,
        rule_text: &str,
        inner: &TokenStream,
        wide: &TokenStream,
    ) -> (TokenStream, TokenStream) {
        let rt = &self.rt;
        let head = quote! {
            impl #name {
                /// The rule every value satisfies, in words.
                pub const RULE: &'static str = #rule_text;

                /// Checks a value against [`Self::RULE`].
                ///
                /// # Errors
                ///
                /// A `ConstraintError` naming the value and the rule, when the value breaks it.
                pub fn new(value: #wide) -> Result<Self, #rt::ConstraintError> {
                    Self::try_from(value)
                }

                /// The value.
                #[must_use]
                pub fn get(self) -> #inner {
                    self.0
                }
            }
        };
        let tail = quote! {
            impl From<#name> for #inner {
                fn from(value: #name) -> #inner {
                    value.0
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    std::fmt::Display::fmt(&self.0, f)
                }
            }

            impl std::str::FromStr for #name {
                type Err = #rt::ConstraintError;

                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    match value.trim().parse::<#wide>() {
                        Ok(number) => Self::try_from(number),
                        Err(_) => Err(#rt::ConstraintError {
                            type_name: #type_name,
                            value: value.to_owned(),
                            rule: Self::RULE,
                        }),
                    }
                }
            }
        };
        (head, tail)
    }

    fn number(
        &self,
        type_name: &str,
        docs: TokenStream,
        rule: &NumberRule,
        example: Option<TokenStream>,
    ) -> TokenStream {
        let rt = &self.rt;
        let name = ident(type_name);
        let (inner, inner_name) = if rule.f32 {
            (quote! { f32 }, "f32")
        } else {
            (quote! { f64 }, "f64")
        };
        let rule_text = rule.describe();
        // Literals in the held type: bounds and enum values as `f32`s for `format: float`.
        let literal = |v: f64| {
            let magnitude = if rule.f32 {
                Literal::f32_unsuffixed((v as f32).abs())
            } else {
                Literal::f64_unsuffixed(v.abs())
            };
            // A separate minus sign, as for integers (`-0.0` is `0.0` to `==` and `<`).
            if v < 0.0 {
                quote! { -#magnitude }
            } else {
                quote! { #magnitude }
            }
        };
        let mut checks = vec![quote! { inner.is_finite() }];
        if !rule.values.is_empty() {
            let values = rule.values.iter().map(|v| literal(*v));
            checks.push(quote! { [#( #values ),*].contains(&inner) });
        }
        // Bounds: a range where clippy would want one (`manual_range_contains`), else
        // comparisons.
        match (rule.min, rule.max) {
            (Some((min, false)), Some((max, false))) => {
                let (min, max) = (literal(min), literal(max));
                checks.push(quote! { (#min..=#max).contains(&inner) });
            }
            (Some((min, false)), Some((max, true))) => {
                let (min, max) = (literal(min), literal(max));
                checks.push(quote! { (#min..#max).contains(&inner) });
            }
            (min, max) => {
                match min {
                    Some((min, true)) => {
                        let min = literal(min);
                        checks.push(quote! { inner > #min });
                    }
                    Some((min, false)) => {
                        let min = literal(min);
                        checks.push(quote! { inner >= #min });
                    }
                    None => {}
                }
                match max {
                    Some((max, true)) => {
                        let max = literal(max);
                        checks.push(quote! { inner < #max });
                    }
                    Some((max, false)) => {
                        let max = literal(max);
                        checks.push(quote! { inner <= #max });
                    }
                    None => {}
                }
            }
        }
        let convert = if rule.f32 {
            quote! { let inner = value as f32; }
        } else {
            quote! { let inner = value; }
        };
        let mut holds = vec![
            format!(" Holds only allowed values: it {rule_text}."),
            " `NaN` and infinities are refused.".to_owned(),
        ];
        if rule.f32 && (rule.min.is_some() || rule.max.is_some() || !rule.values.is_empty()) {
            holds.push(
                " Compared as `f32`s: the value and the spec's numbers rounded to `f32`."
                    .to_owned(),
            );
        }
        let mut multiple = None;
        if let Some(m) = rule.multiple_of {
            let step = Literal::f64_unsuffixed(m);
            let tolerance = Literal::f64_unsuffixed(NumberRule::TOLERANCE);
            let ulps = Literal::f64_unsuffixed(NumberRule::ULPS);
            let (quotient, epsilon) = if rule.f32 {
                (
                    quote! { f64::from(inner) / #step },
                    quote! { f64::from(f32::EPSILON) },
                )
            } else {
                (quote! { inner / #step }, quote! { f64::EPSILON })
            };
            multiple = Some(quote! {
                let quotient = #quotient;
                let nearest = quotient.round();
                let tolerance = (nearest.abs() * #ulps * #epsilon).max(#tolerance);
                let multiple = quotient.is_finite() && (quotient - nearest).abs() <= tolerance;
            });
            checks.push(quote! { multiple });
            holds.extend([
                format!(
                    " A value counts as a multiple when `value / {:?}` is within a billionth of a",
                    m
                ),
                format!(
                    " whole number (or {} ulps of the quotient, when that is more), so a decimal",
                    NumberRule::ULPS
                ),
                " step works despite binary rounding (`0.07` is a multiple of `0.01`).".to_owned(),
            ]);
        }
        let from_inner = rule.f32.then(|| {
            quote! {
                impl TryFrom<f32> for #name {
                    type Error = #rt::ConstraintError;

                    fn try_from(value: f32) -> Result<Self, Self::Error> {
                        Self::try_from(f64::from(value))
                    }
                }
            }
        });
        let separator = (!docs.is_empty()).then(|| quote! { #[doc = ""] });
        let wide = quote! { f64 };
        let (head, tail) = self.numeric_impls(&name, type_name, &rule_text, &inner, &wide);
        quote! {
            #docs
            #separator
            #( #[doc = #holds] )*
            #example
            #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize, serde::Deserialize)]
            #[serde(try_from = "f64", into = #inner_name)]
            pub struct #name(#inner);

            #head

            impl TryFrom<f64> for #name {
                type Error = #rt::ConstraintError;

                fn try_from(value: f64) -> Result<Self, Self::Error> {
                    #convert
                    #multiple
                    if #( #checks )&&* {
                        Ok(#name(inner))
                    } else {
                        Err(#rt::ConstraintError {
                            type_name: #type_name,
                            value: format!("{value:?}"),
                            rule: Self::RULE,
                        })
                    }
                }
            }

            #from_inner

            #tail
        }
    }

    /// A validated array: a `Vec<T>` whose item count (and, with `uniqueItems`, distinct
    /// items) is checked on the way in.
    fn array(&self, def: &TypeDef, docs: TokenStream, rule: &ArrayRule) -> TokenStream {
        let rt = &self.rt;
        let type_name = def.name.as_str();
        let name = ident(type_name);
        let item = self.ty(&rule.items);
        // serde reads the type from a string.
        let vec_type = format!("Vec<{item}>");
        let derives = Self::derives(def);
        let rule_text = rule.describe();
        let separator = (!docs.is_empty()).then(|| quote! { #[doc = ""] });
        let mut holds = vec![format!(" Holds only allowed values: it {rule_text}.")];
        // When the count is refused.
        let count_refused = match (rule.min, rule.max) {
            (Some(min), Some(max)) if min == max => {
                let exactly = Literal::usize_unsuffixed(min);
                Some(quote! { count != #exactly })
            }
            (Some(min), Some(max)) => {
                let (min, max) = (
                    Literal::usize_unsuffixed(min),
                    Literal::usize_unsuffixed(max),
                );
                Some(quote! { !(#min..=#max).contains(&count) })
            }
            (Some(min), None) => {
                let min = Literal::usize_unsuffixed(min);
                Some(quote! { count < #min })
            }
            (None, Some(max)) => {
                let max = Literal::usize_unsuffixed(max);
                Some(quote! { count > #max })
            }
            (None, None) => None,
        };
        let error = |value: TokenStream| {
            quote! {
                #rt::ConstraintError {
                    type_name: #type_name,
                    value: #value,
                    rule: Self::RULE,
                }
            }
        };
        let count = count_refused.map(|refused_when| {
            let refused = error(quote! {
                format!("{count} {}", if count == 1 { "item" } else { "items" })
            });
            quote! {
                let count = items.len();
                if #refused_when {
                    return Err(#refused);
                }
            }
        });
        let repeated = error(quote! { format!("item {index} equals item {first}") });
        // Items that are `Eq + Hash` are checked through a set (linear); others (floats,
        // JSON values, secrets) pairwise, which `maxItems`, checked first, bounds.
        let unique = match (rule.unique, def.derives.hash) {
            (false, _) => None,
            (true, true) => {
                holds.push(
                    " Items are compared as Rust values (`Eq`), through a hash set.".to_owned(),
                );
                Some(quote! {
                    let mut seen = std::collections::HashMap::with_capacity(items.len());
                    for (index, item) in items.iter().enumerate() {
                        if let Some(first) = seen.insert(item, index) {
                            return Err(#repeated);
                        }
                    }
                })
            }
            (true, false) => {
                holds.push(
                    " Items are compared as Rust values (`PartialEq`), pairwise: quadratic in the"
                        .to_owned(),
                );
                holds.push(" number of items.".to_owned());
                Some(quote! {
                    for (index, item) in items.iter().enumerate() {
                        if let Some(first) = items[..index].iter().position(|earlier| earlier == item) {
                            return Err(#repeated);
                        }
                    }
                })
            }
        };
        quote! {
            #docs
            #separator
            #( #[doc = #holds] )*
            #derives
            #[serde(try_from = #vec_type, into = #vec_type)]
            pub struct #name(Vec<#item>);

            impl #name {
                /// The rule every value satisfies, in words.
                pub const RULE: &'static str = #rule_text;

                /// Checks items against [`Self::RULE`].
                ///
                /// # Errors
                ///
                /// A `ConstraintError` naming the count or the repeated item, and the rule,
                /// when the items break it.
                pub fn new(items: Vec<#item>) -> Result<Self, #rt::ConstraintError> {
                    Self::try_from(items)
                }

                /// The items.
                #[must_use]
                pub fn as_slice(&self) -> &[#item] {
                    &self.0
                }

                /// The items, in order.
                pub fn iter(&self) -> std::slice::Iter<'_, #item> {
                    self.0.iter()
                }

                /// How many items.
                #[must_use]
                pub fn len(&self) -> usize {
                    self.0.len()
                }

                /// Whether there are no items.
                #[must_use]
                pub fn is_empty(&self) -> bool {
                    self.0.is_empty()
                }

                /// The items, as a `Vec`.
                #[must_use]
                pub fn into_inner(self) -> Vec<#item> {
                    self.0
                }
            }

            impl TryFrom<Vec<#item>> for #name {
                type Error = #rt::ConstraintError;

                fn try_from(items: Vec<#item>) -> Result<Self, Self::Error> {
                    #count
                    #unique
                    Ok(#name(items))
                }
            }

            impl From<#name> for Vec<#item> {
                fn from(value: #name) -> Vec<#item> {
                    value.0
                }
            }

            impl AsRef<[#item]> for #name {
                fn as_ref(&self) -> &[#item] {
                    &self.0
                }
            }

            impl<'a> IntoIterator for &'a #name {
                type Item = &'a #item;
                type IntoIter = std::slice::Iter<'a, #item>;

                fn into_iter(self) -> Self::IntoIter {
                    self.0.iter()
                }
            }

            impl IntoIterator for #name {
                type Item = #item;
                type IntoIter = std::vec::IntoIter<#item>;

                fn into_iter(self) -> Self::IntoIter {
                    self.0.into_iter()
                }
            }
        }
    }

    fn text(
        &self,
        type_name: &str,
        docs: TokenStream,
        rule: &LengthRule,
        example: Option<TokenStream>,
    ) -> TokenStream {
        let rt = &self.rt;
        let name = ident(type_name);
        let rule_text = rule.describe();
        // In the docs the pattern is code, so Markdown leaves it as it is.
        let mut shown = rule.clone();
        if let Some(pattern) = &mut shown.pattern {
            pattern.source = crate::model::code_span(&pattern.source);
        }
        let mut holds = vec![format!(
            " Holds only allowed values: it {}.",
            shown.describe()
        )];
        if rule.pattern.is_some() {
            holds.push(
                " The pattern may match anywhere in the value (JSON Schema patterns are not anchored);"
                    .to_owned(),
            );
            holds.push(" `\\d` and `\\w` are ASCII, as in ECMA-262.".to_owned());
        }
        let separator = (!docs.is_empty()).then(|| quote! { #[doc = ""] });
        let mut checks = Vec::new();
        match (rule.min.filter(|min| *min > 0), rule.max) {
            (Some(min), Some(max)) => {
                let (min, max) = (
                    Literal::usize_unsuffixed(min),
                    Literal::usize_unsuffixed(max),
                );
                checks.push(quote! { (#min..=#max).contains(&length) });
            }
            (Some(min), None) => {
                let min = Literal::usize_unsuffixed(min);
                checks.push(quote! { length >= #min });
            }
            (None, Some(max)) => {
                let max = Literal::usize_unsuffixed(max);
                checks.push(quote! { length <= #max });
            }
            (None, None) => {}
        }
        let count = if checks.is_empty() {
            TokenStream::new()
        } else {
            quote! { let length = value.chars().count(); }
        };
        // Compiled once, on first use; the generator compiled it with the same crate.
        let pattern = rule.pattern.as_ref().map(|pattern| {
            let regex = &pattern.regex;
            checks.push(quote! { PATTERN.is_match(&value) });
            quote! {
                static PATTERN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
                    regex::Regex::new(#regex).expect("the generator compiled this pattern")
                });
            }
        });
        let allowed = if checks.is_empty() {
            quote! { true }
        } else {
            quote! { #( #checks )&&* }
        };
        quote! {
            #docs
            #separator
            #( #[doc = #holds] )*
            #example
            #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
            #[serde(try_from = "String", into = "String")]
            pub struct #name(String);

            impl #name {
                /// The rule every value satisfies, in words.
                pub const RULE: &'static str = #rule_text;

                /// Checks a value against [`Self::RULE`].
                ///
                /// # Errors
                ///
                /// A `ConstraintError` naming the value and the rule, when the value breaks it.
                pub fn new(value: impl Into<String>) -> Result<Self, #rt::ConstraintError> {
                    Self::try_from(value.into())
                }

                /// The value.
                #[must_use]
                pub fn as_str(&self) -> &str {
                    &self.0
                }
            }

            impl TryFrom<String> for #name {
                type Error = #rt::ConstraintError;

                fn try_from(value: String) -> Result<Self, Self::Error> {
                    #pattern
                    #count
                    if #allowed {
                        Ok(#name(value))
                    } else {
                        Err(#rt::ConstraintError {
                            type_name: #type_name,
                            value,
                            rule: Self::RULE,
                        })
                    }
                }
            }

            impl TryFrom<&str> for #name {
                type Error = #rt::ConstraintError;

                fn try_from(value: &str) -> Result<Self, Self::Error> {
                    Self::try_from(value.to_owned())
                }
            }

            impl From<#name> for String {
                fn from(value: #name) -> String {
                    value.0
                }
            }

            impl AsRef<str> for #name {
                fn as_ref(&self) -> &str {
                    &self.0
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(&self.0)
                }
            }

            impl std::str::FromStr for #name {
                type Err = #rt::ConstraintError;

                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    Self::try_from(value)
                }
            }
        }
    }
}

/// An integer literal, with a separate minus sign so every `i64` is representable.
fn int_literal(value: i64) -> TokenStream {
    let magnitude = Literal::u64_unsuffixed(value.unsigned_abs());
    if value < 0 {
        quote! { -#magnitude }
    } else {
        quote! { #magnitude }
    }
}
