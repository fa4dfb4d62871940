//! Header (`components/header`): NHS logo, service name, search, account links and navigation.

use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes, Attrs};
use crate::button::{ButtonIcon, ButtonParams};
use crate::de;
use crate::form::{FormGroup, TextOrHtml};
use crate::icon::icon;
use crate::input::InputParams;
use crate::label::LabelParams;
use crate::util::{classes_contain, escape, html_or_text, nonempty, push_classes, truthy};

const LOGO_PATH: &str = "M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z";

/// Params of the header macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderParams {
    /// The NHS logo (or an organisation's logo image).
    pub logo: Option<HeaderLogo>,
    /// Service name and link.
    pub service: Option<HeaderService>,
    /// Organisation name shown after the logo.
    pub organisation: Option<HeaderOrganisation>,
    /// Search form: `true` for the default NHS website search, or search options.
    #[serde(default, deserialize_with = "de::obj_or_bool")]
    pub search: Option<HeaderSearch>,
    /// Account links.
    pub account: Option<HeaderAccount>,
    /// Primary navigation.
    pub navigation: Option<HeaderNavigation>,
    /// Colour: `white`.
    pub colour: Option<String>,
    /// Show the service name, search and account inline.
    pub inline: Option<bool>,
    /// Extra classes of the width container.
    pub container_classes: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// Header logo options.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderLogo {
    /// Link for the logo.
    pub href: Option<String>,
    /// Image URL replacing the NHS logo.
    pub src: Option<String>,
    /// Alternative text (default `NHS`).
    pub alt: Option<String>,
    /// Accessible name of the logo link (default: built from the logo, organisation and service).
    pub aria_label: Option<String>,
}

/// Header service name.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderService {
    /// Service name (escaped).
    pub text: Option<String>,
    /// Link for the service name.
    pub href: Option<String>,
}

/// Header organisation name.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderOrganisation {
    /// Organisation name.
    pub name: Option<String>,
    /// Second part of the name, on its own line.
    pub split: Option<String>,
    /// Descriptor (for example `NHS Foundation Trust`).
    pub descriptor: Option<String>,
}

/// Header search options.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderSearch {
    /// Form action (default `https://www.nhs.uk/search/`).
    pub action: Option<String>,
    /// Form method (default `get`).
    pub method: Option<String>,
    /// Query parameter name (default `q`).
    pub name: Option<String>,
    /// Search input options.
    pub input: Option<HeaderSearchInput>,
    /// Search button options.
    pub button: Option<HeaderSearchButton>,
    /// Search label options.
    pub label: Option<HeaderSearchLabel>,
    /// Deprecated: `input: { placeholder }`.
    pub placeholder: Option<String>,
    /// Deprecated: `button: { ariaLabel }`.
    pub visually_hidden_button: Option<String>,
    /// Deprecated: `label: { visuallyHiddenText }`.
    pub visually_hidden_label: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// Header search input options.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderSearchInput {
    /// Placeholder (default `Search`).
    pub placeholder: Option<String>,
}

/// Header search button options.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderSearchButton {
    /// Accessible name (default `Search`).
    pub aria_label: Option<String>,
}

/// Header search label options.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderSearchLabel {
    /// The visually hidden label (default `Search the NHS website`).
    pub visually_hidden_text: Option<String>,
}

/// Header account links.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderAccount {
    /// The items (falsy entries are skipped).
    #[serde(default, deserialize_with = "de::items")]
    pub items: Vec<HeaderAccountItem>,
    /// Accessible name of the account navigation (default `Account`).
    pub aria_label: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// One account item: a link (`href`), a form button (`action`) or plain text.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderAccountItem {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Link target.
    pub href: Option<String>,
    /// Form action (for example a sign-out endpoint); renders a button.
    pub action: Option<String>,
    /// Form method (default `post`).
    pub method: Option<String>,
    /// Show the user icon.
    pub icon: Option<bool>,
    /// Extra classes.
    pub classes: Option<String>,
}

/// Header navigation.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderNavigation {
    /// The items (falsy entries are skipped).
    #[serde(default, deserialize_with = "de::items")]
    pub items: Vec<HeaderNavigationItem>,
    /// Colour: `white`.
    pub colour: Option<String>,
    /// Spread the items across the width.
    pub justified: Option<bool>,
    /// Accessible name (default `Menu`).
    pub aria_label: Option<String>,
    /// Text of the "More" menu toggle.
    pub toggle_menu_text: Option<String>,
    /// Visually hidden text before the toggle text (default `Browse`).
    pub toggle_menu_visually_hidden_text: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// One navigation item.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderNavigationItem {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Link target (without it the item is plain text).
    pub href: Option<String>,
    /// The current page is within this section (`aria-current="true"`).
    pub active: Option<bool>,
    /// This is the current page (`aria-current="page"`).
    pub current: Option<bool>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

fn service_logo(logo: &HeaderLogo, organisation: &Option<HeaderOrganisation>) -> String {
    let alt = escape(logo.alt.as_deref().unwrap_or("NHS"));
    let mut out = match nonempty(&logo.src) {
        Some(src) => format!(
            "<img class=\"nhsuk-header__organisation-logo\" src=\"{}\" width=\"280\" alt=\"{alt}\">",
            escape(src)
        ),
        None => format!(
            "<svg class=\"nhsuk-header__logo\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 80\" height=\"40\" width=\"100\" focusable=\"false\" role=\"img\" aria-label=\"{alt}\">\n<title>{alt}</title>\n<path fill=\"currentcolor\" d=\"{LOGO_PATH}\"/>\n</svg>"
        ),
    };
    if let Some(org) = organisation {
        out.push_str(&format!(
            "\n<span class=\"nhsuk-header__organisation-name\">{}",
            escape(org.name.as_deref().unwrap_or_default())
        ));
        if let Some(split) = nonempty(&org.split) {
            out.push_str(&format!(
                " <span class=\"nhsuk-header__organisation-name-split\">{}</span>",
                escape(split)
            ));
        }
        out.push_str("</span>");
        if let Some(d) = nonempty(&org.descriptor) {
            out.push_str(&format!(
                "<span class=\"nhsuk-header__organisation-name-descriptor\">{}</span>",
                escape(d)
            ));
        }
    }
    out
}

fn service_name(text: Option<&str>, href: Option<&str>) -> String {
    match (text.filter(|t| !t.is_empty()), href.filter(|h| !h.is_empty())) {
        (Some(t), Some(h)) => format!(
            "<a class=\"nhsuk-header__service-name\" href=\"{}\">{}</a>",
            escape(h),
            escape(t.trim())
        ),
        (Some(t), None) => format!("<span class=\"nhsuk-header__service-name\">{}</span>", escape(t.trim())),
        _ => String::new(),
    }
}

fn account_item(item: &HeaderAccountItem) -> String {
    let mut out = String::new();
    if item.icon == Some(true) {
        out.push_str(&icon("user"));
        out.push('\n');
    }
    out.push_str(&html_or_text(&item.html, &item.text).unwrap_or_default());
    out
}

impl HeaderParams {
    /// Render the header.
    pub fn render(&self) -> String {
        let logo = self.logo.clone().unwrap_or_default();
        let service = self.service.clone().unwrap_or_default();
        let mut class_names = "nhsuk-header".to_owned();
        if self.colour.as_deref() == Some("white") && !classes_contain(&self.classes, "nhsuk-header--white") {
            class_names.push_str(" nhsuk-header--white");
        }
        if self.inline == Some(true) && !classes_contain(&self.classes, "nhsuk-header--inline") {
            class_names.push_str(" nhsuk-header--inline");
        }
        if self.organisation.is_some() {
            class_names.push_str(" nhsuk-header--organisation");
        }
        push_classes(&mut class_names, &self.classes);

        // The logo and service name share one link when only the service has a link, or both have the same.
        let combine = (truthy(&service.text) && truthy(&service.href) && !truthy(&logo.href))
            || (truthy(&service.href) && service.href == logo.href);
        let logo_alt = logo.alt.clone().unwrap_or_else(|| "NHS".to_owned());
        let logo_href = if combine {
            service.href.clone()
        } else {
            logo.href.clone()
        };

        let container_classes = nonempty(&self.container_classes)
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        let mut service_parts = Vec::new();
        let logo_html = service_logo(&logo, &self.organisation);
        if let Some(href) = nonempty(&logo_href) {
            let aria_label = match nonempty(&logo.aria_label) {
                Some(l) => l.to_owned(),
                None => {
                    let org = self.organisation.clone().unwrap_or_default();
                    [
                        Some(logo_alt.clone()),
                        org.name,
                        org.split,
                        if combine { service.text.clone() } else { None },
                        Some("homepage".to_owned()),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ")
                }
            };
            let mut inner = logo_html;
            if combine {
                inner.push('\n');
                inner.push_str(&service_name(service.text.as_deref(), None));
            }
            service_parts.push(format!(
                "<a class=\"nhsuk-header__service-logo\" href=\"{}\" aria-label=\"{}\">\n{inner}\n</a>",
                escape(href),
                escape(&aria_label)
            ));
        } else if combine {
            service_parts.push(logo_html);
            service_parts.push(service_name(service.text.as_deref(), None));
        } else {
            service_parts.push(logo_html);
        }
        if truthy(&service.text) && !combine {
            service_parts.push(service_name(service.text.as_deref(), service.href.as_deref()));
        }

        let mut container = vec![format!(
            "<div class=\"nhsuk-header__service\">\n{}\n</div>",
            service_parts.join("\n")
        )];
        if let Some(search) = &self.search {
            container.push(self.render_search(search));
        }
        if let Some(account) = &self.account {
            container.push(render_account(account));
        }

        let attrs = Attrs::new()
            .set("class", &class_names)
            .opt("id", self.id.as_deref())
            .set("data-module", "nhsuk-header")
            .set("role", "banner")
            .extend(&self.attributes)
            .build();
        let mut out = format!(
            "<header{attrs}>\n<div class=\"nhsuk-header__container nhsuk-width-container{}\">\n{}\n</div>",
            escape(&container_classes),
            container.join("\n")
        );
        if let Some(nav) = self.navigation.as_ref().filter(|n| !n.items.is_empty()) {
            out.push('\n');
            out.push_str(&render_navigation(nav, &container_classes));
        }
        out.push_str("\n</header>");
        out
    }

    fn render_search(&self, search: &HeaderSearch) -> String {
        let action = search.action.as_deref().unwrap_or("https://www.nhs.uk/search/");
        let method = search.method.as_deref().unwrap_or("get");
        let name = search.name.as_deref().unwrap_or("q");
        let placeholder = search
            .input
            .as_ref()
            .and_then(|i| i.placeholder.clone())
            .or_else(|| search.placeholder.clone())
            .unwrap_or_else(|| "Search".to_owned());
        let button_label = search
            .button
            .as_ref()
            .and_then(|b| b.aria_label.clone())
            .or_else(|| search.visually_hidden_button.clone())
            .unwrap_or_else(|| "Search".to_owned());
        let label = search
            .label
            .as_ref()
            .and_then(|l| l.visually_hidden_text.clone())
            .or_else(|| search.visually_hidden_label.clone())
            .unwrap_or_else(|| "Search the NHS website".to_owned());
        let button = ButtonParams {
            aria_label: Some(button_label),
            icon: Some(ButtonIcon::named("search")),
            small: Some(true),
            ..ButtonParams::default()
        }
        .render();
        let input = InputParams {
            label: Some(LabelParams {
                text: Some(label),
                classes: Some("nhsuk-u-visually-hidden".to_owned()),
                ..LabelParams::default()
            }),
            id: Some("search-field".to_owned()),
            name: Some(name.to_owned()),
            r#type: Some("search".to_owned()),
            autocomplete: Some("off".to_owned()),
            placeholder: Some(placeholder),
            form_group: Some(FormGroup {
                after_input: Some(TextOrHtml {
                    html: Some(button),
                    text: None,
                }),
                ..FormGroup::default()
            }),
            ..InputParams::default()
        }
        .render();
        let mut class_names = "nhsuk-header__search".to_owned();
        push_classes(&mut class_names, &search.classes);
        let form_attrs = Attrs::new()
            .set("class", "nhsuk-header__search-form")
            .set("id", "search")
            .opt("action", Some(action))
            .opt("method", Some(method))
            .build();
        format!(
            "<search class=\"{}\"{}>\n<form{form_attrs} novalidate>\n{input}\n</form>\n</search>",
            escape(&class_names),
            attrs_html(&search.attributes)
        )
    }
}

fn render_account(account: &HeaderAccount) -> String {
    let mut class_names = "nhsuk-header__account".to_owned();
    push_classes(&mut class_names, &account.classes);
    let mut items = Vec::new();
    for item in &account.items {
        let mut item_class = "nhsuk-header__account-item".to_owned();
        push_classes(&mut item_class, &item.classes);
        let content = account_item(item);
        let body = if let Some(href) = nonempty(&item.href) {
            format!(
                "<a class=\"nhsuk-header__account-link\" href=\"{}\">\n{content}\n</a>",
                escape(href)
            )
        } else if let Some(action) = nonempty(&item.action) {
            let attrs = Attrs::new()
                .set("class", "nhsuk-header__account-form")
                .set("action", action)
                .set("method", item.method.as_deref().unwrap_or("post"))
                .build();
            format!(
                "<form{attrs} novalidate>\n<button class=\"nhsuk-header__account-button\">\n{content}\n</button>\n</form>"
            )
        } else {
            content
        };
        items.push(format!("<li class=\"{}\">\n{body}\n</li>", escape(&item_class)));
    }
    format!(
        "<nav class=\"{}\" aria-label=\"{}\"{}>\n<ul class=\"nhsuk-header__account-list\">\n{}\n</ul>\n</nav>",
        escape(&class_names),
        escape(account.aria_label.as_deref().unwrap_or("Account")),
        attrs_html(&account.attributes),
        items.join("\n")
    )
}

fn render_navigation(nav: &HeaderNavigation, container_classes: &str) -> String {
    let mut class_names = "nhsuk-header__navigation".to_owned();
    if nav.colour.as_deref() == Some("white") && !classes_contain(&nav.classes, "nhsuk-header__navigation--white") {
        class_names.push_str(" nhsuk-header__navigation--white");
    }
    if nav.justified == Some(true) && !classes_contain(&nav.classes, "nhsuk-header__navigation--justified") {
        class_names.push_str(" nhsuk-header__navigation--justified");
    }
    push_classes(&mut class_names, &nav.classes);
    let mut items = Vec::new();
    for item in &nav.items {
        let is_current = item.active == Some(true) || item.current == Some(true);
        let attrs = Attrs::new()
            .set(
                "class",
                if truthy(&item.href) {
                    "nhsuk-header__navigation-link"
                } else {
                    "nhsuk-header__navigation-text"
                },
            )
            .opt("href", item.href.as_deref())
            .opt(
                "aria-current",
                is_current.then_some(if item.current == Some(true) { "page" } else { "true" }),
            )
            .build();
        let text = html_or_text(&item.html, &item.text).unwrap_or_default();
        let content = if is_current {
            format!("<strong class=\"nhsuk-header__navigation-item-current-fallback\">{text}</strong>")
        } else {
            text
        };
        let mut li_class = "nhsuk-header__navigation-item".to_owned();
        if is_current {
            li_class.push_str(" nhsuk-header__navigation-item--current");
        }
        push_classes(&mut li_class, &item.classes);
        let element = if truthy(&item.href) { "a" } else { "span" };
        items.push(format!(
            "<li class=\"{}\"{}>\n<{element}{attrs}>{content}</{element}>\n</li>",
            escape(&li_class),
            attrs_html(&item.attributes)
        ));
    }
    items.push(format!(
        "<li class=\"nhsuk-header__menu\" hidden>\n<button class=\"nhsuk-header__menu-toggle nhsuk-header__navigation-link\" id=\"toggle-menu\" aria-expanded=\"false\">\n<span class=\"nhsuk-u-visually-hidden\">{} </span>{}\n</button>\n</li>",
        escape(nav.toggle_menu_visually_hidden_text.as_deref().unwrap_or("Browse")),
        escape(nav.toggle_menu_text.as_deref().unwrap_or("More"))
    ));
    format!(
        "<nav class=\"{}\" aria-label=\"{}\"{}>\n<div class=\"nhsuk-header__navigation-container nhsuk-width-container{}\">\n<ul class=\"nhsuk-header__navigation-list\">\n{}\n</ul>\n</div>\n</nav>",
        escape(&class_names),
        escape(nav.aria_label.as_deref().unwrap_or("Menu")),
        attrs_html(&nav.attributes),
        escape(container_classes),
        items.join("\n")
    )
}
