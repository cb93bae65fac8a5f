//! Directory, profile and profile-editing pages.

use super::{DirectoryQuery, ProfileInput};
use crate::http::{AppError, Errors, Form, Layout, Pager, Path, Query, Result, Signed, notice, render, urlencode};
use crate::read_model::Sort;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use roundtable_domain::UserId;
use roundtable_domain::profile::{Audience, Field};
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people", get(directory))
        .route("/people/{id}", get(profile))
        .route(
            "/profile",
            get(edit_form).post(save).layer(axum::extract::DefaultBodyLimit::max(super::photo::MAX_BYTES + 64 * 1024)),
        )
        .route("/profile/photo/remove", axum::routing::post(remove_photo))
        .route("/people/{id}/photo.jpg", get(photo))
}

#[derive(Template)]
#[template(path = "members/directory.html")]
struct DirectoryPage {
    layout: Layout,
    /// The page's heading; the document's title adds the search and filters to it.
    heading: String,
    q: DirectoryQuery,
    d: super::Directory,
    pager: Pager,
    /// Facets with, for each value, the query string that selects or clears it.
    facets: Vec<FacetView>,
    /// (label, query string, current) per sort order.
    sorts: Vec<(&'static str, String, bool)>,
    /// What a new search keeps: the filters and order chosen (key, value).
    kept: Vec<(&'static str, String)>,
    suggestions: Vec<super::Suggestion>,
    /// The query string that drops every filter chosen but keeps the search and the order;
    /// None when no filter is chosen.
    clear_filters: Option<String>,
    /// The query string of the respelt search, when the search found no one.
    respelt_link: Option<String>,
    /// The suggestion leaves a word out (every word spelt right, but no one has them all):
    /// offered as a shorter search, not as a correction.
    respelt_shorter: bool,
}

impl DirectoryPage {
    /// The filters chosen, each with the link that removes it, for the row above the results (on
    /// a phone the facets are a screen away).
    fn active(&self) -> Vec<(&'static str, &FacetValue)> {
        self.facets.iter().flat_map(|f| f.values.iter().filter(|v| v.selected).map(move |v| (f.label, v))).collect()
    }

    /// Whether there is anything to filter by: a search that found no one has no values to
    /// offer, and an empty "Filter" block would only be in the way.
    fn any_facet(&self) -> bool {
        self.facets.iter().any(|f| !f.values.is_empty())
    }
}

struct FacetView {
    key: &'static str,
    label: &'static str,
    values: Vec<FacetValue>,
    /// Values left out, and the query string that lists them all (or, once listed, fewer).
    more: usize,
    expanded: bool,
    toggle: String,
}

struct FacetValue {
    label: String,
    count: i64,
    selected: bool,
    link: String,
}

/// The directory's query, each value URL-encoded once: the page has a link per facet value, sort
/// and "show all", each the same query with one key changed, built from these pairs. The page
/// number is never carried, so any change starts at page one.
struct QueryLinks<'a> {
    /// (key, raw value, encoded value), in a fixed order; empty values included.
    pairs: Vec<(&'static str, &'a str, String)>,
}

impl<'a> QueryLinks<'a> {
    fn new(q: &'a DirectoryQuery) -> Self {
        let raw = [
            ("q", q.q.as_str()),
            ("department", &q.department),
            ("location", &q.location),
            ("network", &q.network),
            ("level", &q.level),
            ("skill", &q.skill),
            ("interest", &q.interest),
            ("language", &q.language),
            ("sort", &q.sort),
            ("all", &q.all),
        ];
        let encode = |v: &str| if v.is_empty() { String::new() } else { urlencode(v) };
        Self { pairs: raw.into_iter().map(|(k, v)| (k, v, encode(v))).collect() }
    }

    /// The query string with `key` set to `value` ('' removes it).
    fn with(&self, key: &str, value: &str) -> String {
        let changed = if value.is_empty() { String::new() } else { urlencode(value) };
        self.joined(|k, encoded| if k == key { &changed } else { encoded })
    }

    /// The query string without `keys`.
    fn without(&self, keys: &[&str]) -> String {
        self.joined(|k, encoded| if keys.contains(&k) { "" } else { encoded })
    }

    fn joined<'s>(&'s self, value: impl Fn(&str, &'s str) -> &'s str) -> String {
        let mut out = String::with_capacity(96);
        for (k, _, encoded) in &self.pairs {
            let v = value(k, encoded);
            if !v.is_empty() {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(k);
                out.push('=');
                out.push_str(v);
            }
        }
        out
    }

    /// The non-empty (key, raw value) pairs but `keys`, for hidden form fields.
    fn kept(&self, keys: &[&str]) -> Vec<(&'static str, String)> {
        self.pairs
            .iter()
            .filter(|(k, v, _)| !v.is_empty() && !keys.contains(k))
            .map(|(k, v, _)| (*k, (*v).to_owned()))
            .collect()
    }
}

async fn directory(State(state): State<AppState>, s: Signed, Query(q): Query<DirectoryQuery>) -> Result<Response> {
    let actor = s.actor();
    let mut d = super::directory(&state, &actor, &q).await?;
    let links = QueryLinks::new(&q);
    let base = links.without(&[]);
    let facets: Vec<FacetView> = std::mem::take(&mut d.facets)
        .into_iter()
        .map(|f| {
            let expanded = q.all == f.key;
            FacetView {
                key: f.key,
                label: f.label,
                values: f
                    .values
                    .into_iter()
                    .map(|(v, label, count, selected)| FacetValue {
                        // Choosing the selected value again clears it.
                        link: links.with(f.key, if selected { "" } else { &v }),
                        label,
                        count,
                        selected,
                    })
                    .collect(),
                more: f.more,
                expanded,
                toggle: links.with("all", if expanded { "" } else { f.key }),
            }
        })
        .collect();
    let sorts = Sort::ALL
        .iter()
        .map(|&o| {
            let value = if o == Sort::Name { "" } else { o.as_str() };
            (o.label(), links.with("sort", value), o == d.sort)
        })
        .collect();
    // Filters that narrow the set; the order and an expanded facet do not.
    let filtered = !links.without(&["sort", "all"]).is_empty();
    let suggestions = if filtered { Vec::new() } else { super::like_me(&state, &actor).await? };
    let mut filter_keys = vec!["network", "all"];
    filter_keys.extend(super::FACET_KEYS);
    let clear_filters = (!links.without(&["q", "sort", "all"]).is_empty()).then(|| links.without(&filter_keys));
    let mut pager = Pager::new(d.page, d.total, "");
    pager.base = if base.is_empty() { String::new() } else { format!("{base}&") };
    pager.anchor = "#results-h";
    let heading = d.network.as_ref().map_or_else(|| "People".to_owned(), |(_, n)| format!("People in {n}"));
    let title = directory_title(&heading, &q, &facets, d.page.number);
    let kept = links.kept(&["q", "all"]);
    let respelt_link = d.did_you_mean.as_deref().map(|text| links.with("q", text));
    let respelt_shorter =
        d.did_you_mean.as_deref().is_some_and(|text| text.split_whitespace().count() < q.q.split_whitespace().count());
    drop(links);
    render(&DirectoryPage {
        layout: Layout::for_user(&title, &s),
        heading,
        q,
        pager,
        facets,
        sorts,
        kept,
        d,
        suggestions,
        clear_filters,
        respelt_link,
        respelt_shorter,
    })
}

/// The document's title: the heading, then the search and the filters chosen and the page, so
/// that a screen reader's first words on arrival say which list this is ("People: Location
/// London, Language English, page 2"). The network is in the heading already.
fn directory_title(heading: &str, q: &DirectoryQuery, facets: &[FacetView], page: u32) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !q.q.trim().is_empty() {
        parts.push(format!("search “{}”", q.q.trim()));
    }
    for f in facets.iter().filter(|f| f.key != "network") {
        parts.extend(f.values.iter().filter(|v| v.selected).map(|v| format!("{} {}", f.label, v.label)));
    }
    if page > 1 {
        parts.push(format!("page {page}"));
    }
    if parts.is_empty() { heading.to_owned() } else { format!("{heading}: {}", parts.join(", ")) }
}

#[derive(Template)]
#[template(path = "members/profile.html")]
struct ProfilePage {
    layout: Layout,
    p: super::ProfileView,
}

impl ProfilePage {
    /// One's own optional fields grouped by who sees them (in the words of `profile::can_see`),
    /// widest audience first: (who, the fields as the edit form names them).
    fn seen_groups(&self) -> Vec<(&'static str, String)> {
        use roundtable_domain::profile::Audience;
        [
            (Audience::Organisation, "Everyone in the organisation"),
            (Audience::Network, "People who share a network with you, its organisers and organisation administrators"),
            (Audience::Organisers, "Only the organisers of your networks and organisation administrators"),
        ]
        .into_iter()
        .filter_map(|(audience, who)| {
            let fields: Vec<&str> =
                self.p.shown_to.iter().filter(|(_, a)| *a == audience).map(|(f, _)| f.label()).collect();
            (!fields.is_empty()).then(|| (who, fields.join(", ")))
        })
        .collect()
    }

    /// The start date as the other pages write dates ("2 Mar 2020"); as stored if unreadable.
    fn started(&self) -> Option<String> {
        let iso = self.p.start_date.as_deref()?;
        Some(
            chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
                .map_or_else(|_| iso.to_owned(), |d| d.format("%-d %b %Y").to_string()),
        )
    }
}

async fn profile(State(state): State<AppState>, s: Signed, Path(id): Path<String>) -> Result<Response> {
    let id = UserId::parse(&id).ok_or(AppError::NotFound)?;
    let p = super::view(&state, &s.actor(), id).await?;
    render(&ProfilePage { layout: Layout::for_user(&p.name, &s), p })
}

/// One optional field on the edit form: its value and chosen audience.
struct FieldRow {
    field: Field,
    audience: Audience,
}

#[derive(Template)]
#[template(path = "members/edit.html")]
struct EditPage {
    layout: Layout,
    errors: Errors,
    /// The current photo's address (changing with each upload, past the browser's cache).
    photo: Option<String>,
    v: ProfileInput,
    /// Per optional field (by its key), its current audience: shown under the field.
    rows: BTreeMap<&'static str, FieldRow>,
    audiences: Vec<(&'static str, &'static str)>,
}

async fn edit_page(
    state: &AppState,
    s: &Signed,
    errors: Errors,
    v: ProfileInput,
    aud: &BTreeMap<Field, Audience>,
    n: Option<&'static str>,
) -> Result<Response> {
    let photo = roundtable_store::profiles::photo_changed(&state.db, s.user.id)
        .await?
        .map(|changed| format!("/people/{}/photo.jpg?v={}", s.user.id, changed.timestamp_micros()));
    render(&EditPage {
        layout: Layout::for_user("My profile", s).with_notice(n),
        errors,
        photo,
        v,
        rows: Field::ALL
            .iter()
            .map(|f| {
                (f.as_str(), FieldRow { field: *f, audience: aud.get(f).copied().unwrap_or(f.default_audience()) })
            })
            .collect(),
        audiences: Audience::ALL.iter().map(|a| (a.as_str(), a.label())).collect(),
    })
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
}

async fn edit_form(State(state): State<AppState>, s: Signed, Query(q): Query<NoticeQuery>) -> Result<Response> {
    let (v, aud) = super::editable(&state, &s.actor()).await?;
    edit_page(&state, &s, Errors::default(), v, &aud, notice(q.notice.as_deref())).await
}

/// The profile form. The page sends it as multipart with the photo chosen, if any (so a photo
/// chosen and then "Save my profile" is not lost); other clients may send it urlencoded. A bad
/// photo or a bad field refuses the whole form: nothing is saved. A form of nothing but a photo
/// (the photo form of earlier releases) changes only the photo.
async fn save(State(state): State<AppState>, s: Signed, req: axum::extract::Request) -> Result<Response> {
    use axum::extract::FromRequest;
    let content_type = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let (f, photo) = if content_type.is_some_and(|ct| ct.starts_with("multipart/form-data")) {
        let form = axum::extract::Multipart::from_request(req, &state).await.map_err(|_| malformed_upload())?;
        match profile_parts(form).await? {
            // Over the size limit: the form again, as typed (the page sends the photo last), with
            // the reason by the photo field.
            (f, Err(too_large)) => return refused(&state, &s, vec![too_large], f).await,
            (f, Ok(photo)) => (f, photo),
        }
    } else {
        let Form(f) = Form::<ProfileInput>::from_request(req, &state).await?;
        (Some(f), None)
    };
    let thumbnail = match photo {
        None => None,
        Some(bytes) => match super::thumbnail(bytes).await {
            Ok(jpeg) => Some(jpeg),
            Err(AppError::Invalid(errs)) => return refused(&state, &s, errs, f).await,
            Err(e) => return Err(e),
        },
    };
    if let Some(f) = f {
        match super::save(&state, &s.actor(), f.clone()).await {
            Ok(()) => {}
            Err(AppError::Invalid(mut errs)) => {
                // A browser cannot be given the chosen file back: say so, or the person
                // leaves thinking their photo went in with the rest.
                if thumbnail.is_some() {
                    errs.push(roundtable_domain::FieldError::new(
                        "photo",
                        "Your photo was not saved because of the problems above: choose it again.",
                    ));
                }
                return refused(&state, &s, errs, Some(f)).await;
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(jpeg) = thumbnail {
        super::store_photo(&state, &s.actor(), jpeg).await?;
    }
    Ok(Redirect::to("/profile?notice=saved").into_response())
}

/// The form again with what is wrong, and what was typed (or, when only a photo was sent, what
/// is stored).
async fn refused(
    state: &AppState,
    s: &Signed,
    errs: Vec<roundtable_domain::FieldError>,
    f: Option<ProfileInput>,
) -> Result<Response> {
    let (f, aud) = match f {
        None => super::editable(state, &s.actor()).await?,
        Some(f) => {
            let aud: BTreeMap<Field, Audience> = Field::ALL
                .iter()
                .map(|fl| {
                    (
                        *fl,
                        f.audiences
                            .get(&format!("audience_{}", fl.as_str()))
                            .and_then(|a| Audience::parse(a))
                            .unwrap_or(fl.default_audience()),
                    )
                })
                .collect();
            (f, aud)
        }
    };
    let mut r = edit_page(state, s, Errors(errs), f, &aud, None).await?;
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

fn malformed_upload() -> AppError {
    AppError::BadRequest(
        axum::http::StatusCode::BAD_REQUEST,
        "The upload was interrupted or malformed. Please try again.".into(),
    )
}

/// The profile's text fields from a multipart form (read as the urlencoded form is, strictly;
/// none when there were none), and the photo when one was chosen (an empty file part means none).
/// The typed fields and the photo of a multipart profile form; a photo over the size limit
/// ends the reading (the rest of the request is not read) with the fields read before it.
async fn profile_parts(
    mut form: axum::extract::Multipart,
) -> Result<(Option<ProfileInput>, std::result::Result<Option<Vec<u8>>, roundtable_domain::FieldError>)> {
    let (mut pairs, mut photo) = (Vec::new(), Ok(None));
    while let Some(field) = form.next_field().await.map_err(|_| malformed_upload())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            let field_named_file = field.file_name().is_some_and(|f| !f.is_empty());
            match field.bytes().await {
                // A browser sends an empty part with no file name when no file was chosen; an
                // empty file that was chosen (a failed download) is refused, not ignored.
                Ok(data) if data.is_empty() && field_named_file => photo = Err(super::photo::empty_file()),
                Ok(data) => photo = Ok((!data.is_empty()).then(|| data.to_vec())),
                Err(_) => {
                    photo = Err(super::photo::too_large());
                    break;
                }
            }
        } else {
            let value = field.text().await.map_err(|_| malformed_upload())?;
            pairs.push((name, value));
        }
    }
    let encoded = serde_urlencoded::to_string(&pairs).map_err(|_| malformed_upload())?;
    let fields = if pairs.is_empty() { None } else { Some(crate::http::form::parse(encoded.as_bytes())?) };
    Ok((fields, photo))
}

async fn remove_photo(State(state): State<AppState>, s: Signed) -> Result<Response> {
    super::remove_photo(&state, &s.actor()).await?;
    Ok(Redirect::to("/profile?notice=photo-removed").into_response())
}

async fn photo(State(state): State<AppState>, s: Signed, Path(id): Path<String>) -> Result<Response> {
    let id = UserId::parse(&id).ok_or(AppError::NotFound)?;
    let jpeg = super::photo_of(&state, &s.actor(), id).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "image/jpeg"), (axum::http::header::CACHE_CONTROL, "private, max-age=300")],
        jpeg,
    )
        .into_response())
}
