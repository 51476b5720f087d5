"""Report texts in Dutch, French and English; numbers formatted per language."""

from __future__ import annotations

LANGS = ("nl", "fr", "en")

Text = dict[str, str]

TEXTS: dict[str, Text] = {
    "title": {
        "nl": "Eerstelijns psychologische zorg (ELP): balans {years}",
        "fr": "Soins psychologiques de première ligne : bilan {years}",
        "en": "Primary-care psychology convention (ELP): review {years}",
    },
    "subtitle": {
        "nl": "Figuren van de studie, herberekend uit de gepubliceerde momentopname",
        "fr": "Figures de l'étude, recalculées à partir de l'instantané publié",
        "en": "The study's figures, recomputed from the published snapshot",
    },
    "snapshot": {"nl": "Momentopname", "fr": "Instantané", "en": "Snapshot"},
    "min_cell": {
        "nl": "Waarden op minder dan {k} waargenomen personen zijn onderdrukt.",
        "fr": "Les valeurs reposant sur moins de {k} personnes observées sont masquées.",
        "en": "Values resting on fewer than {k} observed persons are suppressed.",
    },
    "not_available": {
        "nl": "Niet beschikbaar",
        "fr": "Non disponible",
        "en": "Not available",
    },
    "missing_mart": {
        "nl": "De tabel {mart} staat (nog) niet in de gepubliceerde momentopname.",
        "fr": "La table {mart} n'est pas (encore) dans l'instantané publié.",
        "en": "Table {mart} is not (yet) in the published snapshot.",
    },
    "missing_data": {
        "nl": "Geen gegevens voor deze figuur in {mart}: {why}.",
        "fr": "Pas de données pour cette figure dans {mart} : {why}.",
        "en": "No data for this figure in {mart}: {why}.",
    },
    "suppressed": {"nl": "onderdrukt", "fr": "masqué", "en": "suppressed"},
    "source": {"nl": "Bron", "fr": "Source", "en": "Source"},
    "fig_care_use": {
        "nl": "Gebruik van terugbetaalde geestelijke gezondheidszorg, {years} (fig. 1)",
        "fr": "Recours aux soins de santé mentale remboursés, {years} (fig. 1)",
        "en": "Use of reimbursed mental-health care, {years} (Fig. 1)",
    },
    "fig_users": {
        "nl": "ELP-gebruikers per jaar (fig. 4)",
        "fr": "Utilisateurs des soins psychologiques par an (fig. 4)",
        "en": "ELP users per year (Fig. 4)",
    },
    "users_extrapolated": {
        "nl": "Gebruikers (geëxtrapoleerd)",
        "fr": "Utilisateurs (extrapolés)",
        "en": "Users (extrapolated)",
    },
    "usage_rate": {"nl": "Gebruiksgraad", "fr": "Taux de recours", "en": "Usage rate"},
    "fig_subgroups": {
        "nl": "Gebruiksgraad per subgroep, {year} (fig. 5)",
        "fr": "Taux de recours par sous-groupe, {year} (fig. 5)",
        "en": "Usage rate by subgroup, {year} (Fig. 5)",
    },
    "fig_province": {
        "nl": "Behoefte, aanbod en gebruik per provincie, {year} (fig. 3)",
        "fr": "Besoin, offre et recours par province, {year} (fig. 3)",
        "en": "Need, supply and use by province, {year} (Fig. 3)",
    },
    "ghq2_share": {
        "nl": "Behoefte: GHQ 2+",
        "fr": "Besoin : GHQ 2+",
        "en": "Need: GHQ 2+",
    },
    "providers_per_100k": {
        "nl": "Geconventioneerde psychologen per 100.000",
        "fr": "Psychologues conventionnés pour 100 000",
        "en": "Conventioned psychologists per 100,000",
    },
    "fig_services_mix": {
        "nl": "Verdeling van de prestaties, {year} (tabel 1)",
        "fr": "Répartition des prestations, {year} (tableau 1)",
        "en": "Services mix, {year} (Table 1)",
    },
    "fig_sessions": {
        "nl": "Sessies per patiënt in 12 maanden (fig. 7-9)",
        "fr": "Séances par patient sur 12 mois (fig. 7-9)",
        "en": "Sessions per patient over 12 months (Figs 7-9)",
    },
    "fig_prior_care": {
        "nl": "Zorg in de 2 jaar vóór de eerste sessie (fig. 10-11)",
        "fr": "Soins dans les 2 ans avant la première séance (fig. 10-11)",
        "en": "Care in the 2 years before the first session (Figs 10-11)",
    },
    "fig_transitions": {
        "nl": "Zorg vóór, tijdens en na de ELP (fig. 12)",
        "fr": "Soins avant, pendant et après (fig. 12)",
        "en": "Care before, during and after ELP (Fig. 12)",
    },
    "share": {"nl": "Aandeel", "fr": "Part", "en": "Share"},
}


def text(key: str, **fmt: object) -> Text:
    base = TEXTS[key]
    return {lang: base[lang].format(**fmt) for lang in LANGS}


def same(value: str) -> Text:
    return dict.fromkeys(LANGS, value)


def number(value: float | None, kind: str = "count") -> Text:
    """A number as each language writes it: 1.234,5 (nl, fr with a space) / 1,234.5 (en)."""
    if value is None:
        return text("suppressed")
    if kind == "rate":
        en = f"{value * 100:.1f} %"
    elif kind == "decimal":
        en = f"{value:,.1f}"
    else:
        en = f"{value:,.0f}"
    nl = en.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    fr = en.replace(",", "\u202f").replace(".", ",")
    return {"nl": nl, "fr": fr, "en": en.replace(" %", "%")}
