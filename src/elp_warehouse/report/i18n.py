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
    # figure and table numbers, as the study numbers them
    "ref_figure": {"nl": "Figuur {n}", "fr": "Figure {n}", "en": "Figure {n}"},
    "ref_table": {"nl": "Tabel {n}", "fr": "Tableau {n}", "en": "Table {n}"},
    "ref_annex": {"nl": "Bijlage {n}", "fr": "Annexe {n}", "en": "Annex {n}"},
    "ref_section": {"nl": "Sectie {n}", "fr": "Section {n}", "en": "Section {n}"},
    "analysis": {"nl": "query", "fr": "requête", "en": "query"},
    "method": {"nl": "Methode", "fr": "Méthode", "en": "Method"},
    "contents": {"nl": "Inhoud", "fr": "Contenu", "en": "Contents"},
    "print": {"nl": "Afdrukken", "fr": "Imprimer", "en": "Print"},
    # methods (min_cell_size {k} comes from the snapshot's meta.snapshot)
    "method_weighted": {
        "nl": "Schattingen gewogen naar de IMA-bevolking (per jaar; cellen leeftijd \u00d7 "
        "geslacht \u00d7 provincie \u00d7 VT) en geëxtrapoleerd naar België. Banden, strepen en "
        "waarden tussen haakjes zijn 95 %-betrouwbaarheidsintervallen. Waarden op minder dan "
        "{k} waargenomen personen zijn onderdrukt (gestreept kader of „onderdrukt”).",
        "fr": "Estimations pondérées sur la population AIM (par année ; cellules âge \u00d7 "
        "sexe \u00d7 province \u00d7 BIM) et extrapolées à la Belgique. Les bandes, traits et "
        "valeurs entre parenthèses sont des intervalles de confiance à 95 %. Les valeurs "
        "reposant sur moins de {k} personnes observées sont masquées (cadre pointillé ou "
        "« masqué »).",
        "en": "Estimates weighted to the IMA population (per year; cells age \u00d7 sex \u00d7 "
        "province \u00d7 VT) and extrapolated to Belgium. Bands, whiskers and bracketed values "
        "are 95 % confidence intervals. Values resting on fewer than {k} observed persons are "
        "suppressed (dashed box or “suppressed”).",
    },
    "method_province": {
        "nl": "Behoefte (GHQ 2+): gezondheidsenquête van Sciensano (jaar van de enquête, geen "
        "CM-gegevens). Prestaties en gebruiksgraad gewogen naar de IMA-bevolking, met 95 "
        "%-betrouwbaarheidsinterval. Zorgverleners uit een publieke bron, per 100.000 "
        "inwoners. Waarden op minder dan {k} waargenomen personen zijn onderdrukt.",
        "fr": "Besoin (GHQ 2+) : enquête de santé de Sciensano (année de l'enquête, pas de "
        "données CM). Prestations et taux de recours pondérés sur la population AIM, avec "
        "intervalle de confiance à 95 %. Prestataires d'une source publique, pour 100 000 "
        "habitants. Les valeurs reposant sur moins de {k} personnes observées sont masquées.",
        "en": "Need (GHQ 2+): Sciensano's health survey (survey year, not CM data). Services and "
        "usage rate weighted to the IMA population, with 95 % confidence interval. Providers "
        "from a public source, per 100,000 inhabitants. Values resting on fewer than {k} "
        "observed persons are suppressed.",
    },
    "method_density": {
        "nl": "Geconventioneerde zorgverleners uit een publieke bron (geen ledengegevens, dus "
        "niets gewogen of onderdrukt), per 100.000 inwoners van de leeftijdsbevolking van het "
        "netwerktype (IMA: 0-24 jaar voor kinderen en adolescenten, 25+ voor volwassenen). Een "
        "zorgverlener in beide netwerktypes telt in beide rijen.",
        "fr": "Prestataires conventionnés d'une source publique (pas de données de membres, "
        "donc ni pondération ni masquage), pour 100 000 habitants de la population d'âge du "
        "type de réseau (AIM : 0-24 ans pour enfants et adolescents, 25+ pour adultes). Un "
        "prestataire des deux types de réseau compte dans les deux lignes.",
        "en": "Conventioned providers from a public source (no member data, so nothing "
        "weighted or suppressed), per 100,000 inhabitants of the network type's age "
        "population (IMA: 0-24 for children and adolescents, 25+ for adults). A provider in "
        "both network types counts in both rows.",
    },
    "method_budget": {
        "nl": "Benutting = uitgaven / budgetenveloppe van de provincie. Uitgaven: terugbetaalde "
        "bedragen van de CM-leden, gewogen en geëxtrapoleerd naar de IMA-bevolking; budget uit "
        "een publieke bron (* = raming). Waarden op minder dan {k} waargenomen personen zijn "
        "onderdrukt.",
        "fr": "Utilisation = dépenses / enveloppe budgétaire de la province. Dépenses : montants "
        "remboursés des membres CM, pondérés et extrapolés à la population AIM ; budget d'une "
        "source publique (* = estimation). Les valeurs reposant sur moins de {k} personnes "
        "observées sont masquées.",
        "en": "Utilisation = spending / the province's budget envelope. Spending: reimbursed "
        "amounts of CM members, weighted and extrapolated to the IMA population; budget from a "
        "public source (* = estimate). Values resting on fewer than {k} observed persons are "
        "suppressed.",
    },
    "method_network": {
        "nl": "Gewogen naar de IMA-bevolking en geëxtrapoleerd; 95 %-betrouwbaarheidsintervallen "
        "onder de waarden. De aandelen per netwerk zijn verhoudingen van gepubliceerde aantallen "
        "(zonder interval). Waarden op minder dan {k} waargenomen personen zijn onderdrukt.",
        "fr": "Pondéré sur la population AIM et extrapolé ; intervalles de confiance à 95 % sous "
        "les valeurs. Les parts par réseau sont des rapports de nombres publiés (sans "
        "intervalle). Les valeurs reposant sur moins de {k} personnes observées sont masquées.",
        "en": "Weighted to the IMA population and extrapolated; 95 % confidence intervals under "
        "the values. The network shares are ratios of published counts (no interval). Values "
        "resting on fewer than {k} observed persons are suppressed.",
    },
    # chart and table words
    "legend_box": {
        "nl": "P25-P75, mediaan (streep), tot P95",
        "fr": "P25-P75, médiane (trait), jusqu'au P95",
        "en": "P25-P75, median (bar), to P95",
    },
    "legend_mean": {
        "nl": "gemiddelde (95 %-BI)",
        "fr": "moyenne (IC à 95 %)",
        "en": "mean (95 % CI)",
    },
    "mean": {"nl": "gemiddelde", "fr": "moyenne", "en": "mean"},
    "median": {"nl": "mediaan", "fr": "médiane", "en": "median"},
    "subgroup": {"nl": "Subgroep", "fr": "Sous-groupe", "en": "Subgroup"},
    "category": {"nl": "Categorie", "fr": "Catégorie", "en": "Category"},
    "users": {"nl": "Gebruikers", "fr": "Utilisateurs", "en": "Users"},
    "patients": {"nl": "Patiënten", "fr": "Patients", "en": "Patients"},
    "year": {"nl": "Jaar", "fr": "Année", "en": "Year"},
    "users_year": {"nl": "Gebruikers {year}", "fr": "Utilisateurs {year}", "en": "Users {year}"},
    "share_year": {"nl": "Aandeel {year}", "fr": "Part {year}", "en": "Share {year}"},
    "mean_year": {
        "nl": "Gemiddelde {year}",
        "fr": "Moyenne {year}",
        "en": "Mean {year}",
    },
    "providers": {"nl": "Zorgverleners", "fr": "Prestataires", "en": "Providers"},
    "all_ages": {"nl": "alle leeftijden", "fr": "tous âges", "en": "all ages"},
    "age_and_over": {"nl": "{age} jaar en ouder", "fr": "{age} ans et plus", "en": "aged {age}+"},
    "age_range": {"nl": "{ages} jaar", "fr": "{ages} ans", "en": "aged {ages}"},
    "age_population": {
        "nl": "Leeftijdsbevolking",
        "fr": "Population d'âge",
        "en": "Age population",
    },
    "share_of_providers": {
        "nl": "Aandeel van de zorgverleners",
        "fr": "Part des prestataires",
        "en": "Share of providers",
    },
    "per_100k": {"nl": "Per 100.000", "fr": "Pour 100 000", "en": "Per 100,000"},
    "services_per_100": {
        "nl": "Prestaties per 100 inwoners",
        "fr": "Prestations pour 100 habitants",
        "en": "Services per 100 inhabitants",
    },
    "services_per_provider": {
        "nl": "Prestaties per zorgverlener",
        "fr": "Prestations par prestataire",
        "en": "Services per provider",
    },
    "conventioned_share": {
        "nl": "Geconventioneerd aandeel van de erkende psychologen",
        "fr": "Part conventionnée des psychologues agréés",
        "en": "Conventioned share of licensed psychologists",
    },
    "budget": {"nl": "Budget", "fr": "Budget", "en": "Budget"},
    "spending": {"nl": "Uitgaven", "fr": "Dépenses", "en": "Spending"},
    "budget_utilisation": {"nl": "Benutting", "fr": "Utilisation", "en": "Utilisation"},
    "estimate_mark": {"nl": "{v} *", "fr": "{v} *", "en": "{v} *"},
    "start_group": {"nl": "Startgroep", "fr": "Groupe de départ", "en": "Start group"},
    "pattern": {
        "nl": "Vóór · tijdens · na",
        "fr": "Avant · pendant · après",
        "en": "Before · during · after",
    },
    "share_all": {
        "nl": "Aandeel (alle)",
        "fr": "Part (tous)",
        "en": "Share (all)",
    },
    "share_with_elp_after": {
        "nl": "met ELP erna",
        "fr": "avec soins psy. après",
        "en": "with ELP after",
    },
    "share_without_elp_after": {
        "nl": "zonder ELP erna",
        "fr": "sans soins psy. après",
        "en": "without ELP after",
    },
    "yes": {"nl": "ja", "fr": "oui", "en": "yes"},
    "no": {"nl": "nee", "fr": "non", "en": "no"},
    "start_not_before_antidepressants": {
        "nl": "Geen antidepressiva in de 24 maanden vóór de eerste sessie",
        "fr": "Pas d'antidépresseurs dans les 24 mois avant la première séance",
        "en": "No antidepressants in the 24 months before the first session",
    },
    "start_before_antidepressants": {
        "nl": "Antidepressiva in de 24 maanden vóór de eerste sessie",
        "fr": "Antidépresseurs dans les 24 mois avant la première séance",
        "en": "Antidepressants in the 24 months before the first session",
    },
    "start_not_before_psychiatrist": {
        "nl": "Geen psychiater in de 24 maanden vóór de eerste sessie",
        "fr": "Pas de psychiatre dans les 24 mois avant la première séance",
        "en": "No psychiatrist in the 24 months before the first session",
    },
    "start_before_psychiatrist": {
        "nl": "Psychiater in de 24 maanden vóór de eerste sessie",
        "fr": "Psychiatre dans les 24 mois avant la première séance",
        "en": "Psychiatrist in the 24 months before the first session",
    },
    "block_network": {
        "nl": "Netwerk van de gebruiker",
        "fr": "Réseau de l'utilisateur",
        "en": "User's network",
    },
    "block_place_exclusive": {
        "nl": "Plaats van de sessies (exclusief)",
        "fr": "Lieu des séances (exclusif)",
        "en": "Place of the sessions (exclusive)",
    },
    "block_place_any": {
        "nl": "Minstens één sessie op deze plaats",
        "fr": "Au moins une séance à ce lieu",
        "en": "At least one session at this place",
    },
    "annex1": {
        "nl": "Bijlage 1: aanbod per provincie",
        "fr": "Annexe 1 : offre par province",
        "en": "Annex 1: supply by province",
    },
    "function_share": {
        "nl": "Aandeel {label}",
        "fr": "Part {label}",
        "en": "Share {label}",
    },
    # the current-year panel (current_year.py, docs/nowcast.md)
    "ref_current": {"nl": "Lopend jaar {n}", "fr": "Année en cours {n}", "en": "Current year {n}"},
    "caption_nowcast": {
        "nl": "ELP-prestaties en -gebruikers per maand, {first} tot {last}, en uitgaven sinds "
        "januari ({area}): zoals geboekt op {as_of} en aangevuld met wat nog niet geboekt is, "
        "met 95 %-voorspellingsinterval. Bevolking: ELP-gebruikers, geëxtrapoleerd naar België.",
        "fr": "Prestations et utilisateurs des soins psychologiques par mois, de {first} à "
        "{last}, et dépenses depuis janvier ({area}) : tels que comptabilisés au {as_of} et "
        "complétés pour ce qui ne l'est pas encore, avec intervalle de prévision à 95 %. "
        "Population : utilisateurs, extrapolés à la Belgique.",
        "en": "ELP services and users per month, {first} to {last}, and spending since January "
        "({area}): as booked by {as_of} and completed for what is not booked yet, with 95 % "
        "prediction interval. Population: ELP users, extrapolated to Belgium.",
    },
    "nowcast_services": {
        "nl": "Prestaties per maand",
        "fr": "Prestations par mois",
        "en": "Services per month",
    },
    "nowcast_users": {
        "nl": "Gebruikers per maand",
        "fr": "Utilisateurs par mois",
        "en": "Users per month",
    },
    "nowcast_booked": {
        "nl": "Geboekt",
        "fr": "Comptabilisé",
        "en": "Booked",
    },
    "nowcast_completed": {
        "nl": "Aangevuld (95 %-voorspellingsinterval)",
        "fr": "Complété (intervalle de prévision à 95 %)",
        "en": "Completed (95 % prediction interval)",
    },
    "nowcast_completed_estimate": {
        "nl": "Aangevuld",
        "fr": "Complété",
        "en": "Completed",
    },
    "nowcast_table": {
        "nl": "Per maand en sinds januari",
        "fr": "Par mois et depuis janvier",
        "en": "Per month and since January",
    },
    "nowcast_period": {"nl": "Periode", "fr": "Période", "en": "Period"},
    "year_to_date": {"nl": "Jaar tot nu", "fr": "Année à ce jour", "en": "Year to date"},
    "nowcast_users_completed": {
        "nl": "Gebruikers (aangevuld)",
        "fr": "Utilisateurs (complétés)",
        "en": "Users (completed)",
    },
    "nowcast_services_completed": {
        "nl": "Prestaties (aangevuld)",
        "fr": "Prestations (complétées)",
        "en": "Services (completed)",
    },
    "nowcast_spending_booked": {
        "nl": "Uitgaven (geboekt)",
        "fr": "Dépenses (comptabilisées)",
        "en": "Spending (booked)",
    },
    "nowcast_spending_completed": {
        "nl": "Uitgaven (aangevuld)",
        "fr": "Dépenses (complétées)",
        "en": "Spending (completed)",
    },
    "nowcast_completeness": {
        "nl": "Uitgaven al geboekt",
        "fr": "Dépenses déjà comptabilisées",
        "en": "Spending already booked",
    },
    "caption_projection": {
        "nl": "Geprojecteerde benutting van het ELP-budget eind {year} per provincie en "
        "netwerktype (uitgaven / budget), met 95 %-voorspellingsinterval, en de benutting "
        "zoals geboekt op {as_of}. Bevolking: ELP-gebruikers, geëxtrapoleerd naar België.",
        "fr": "Utilisation projetée du budget des soins psychologiques fin {year} par province "
        "et type de réseau (dépenses / budget), avec intervalle de prévision à 95 %, et "
        "l'utilisation comptabilisée au {as_of}. Population : utilisateurs, extrapolés à la "
        "Belgique.",
        "en": "Projected utilisation of the ELP budget at the end of {year} per province and "
        "network type (spending / budget), with 95 % prediction interval, and the utilisation "
        "as booked by {as_of}. Population: ELP users, extrapolated to Belgium.",
    },
    "per_province": {"nl": "Per provincie", "fr": "Par province", "en": "Per province"},
    "per_network_type": {
        "nl": "Per netwerktype",
        "fr": "Par type de réseau",
        "en": "Per network type",
    },
    "utilisation_to_date": {
        "nl": "Benutting tot nu (geboekt)",
        "fr": "Utilisation à ce jour (comptabilisée)",
        "en": "Utilisation to date (booked)",
    },
    "utilisation_projected": {
        "nl": "Geprojecteerde benutting eind van het jaar",
        "fr": "Utilisation projetée en fin d'année",
        "en": "Projected utilisation at year end",
    },
    "spending_to_date": {
        "nl": "Uitgaven tot nu (geboekt)",
        "fr": "Dépenses à ce jour (comptabilisées)",
        "en": "Spending to date (booked)",
    },
    "spending_projected": {
        "nl": "Geprojecteerde uitgaven eind van het jaar",
        "fr": "Dépenses projetées en fin d'année",
        "en": "Projected spending at year end",
    },
    "projection_table": {
        "nl": "Budget, uitgaven en benutting",
        "fr": "Budget, dépenses et utilisation",
        "en": "Budget, spending and utilisation",
    },
    "caption_backtest": {
        "nl": "Backtest van de nowcast voor België: op elk maandeinde van {first} tot {last} "
        "herberekend met wat toen geboekt was en vergeleken met de definitieve waarde. Dekking "
        "van het 95 %-voorspellingsinterval en mediane fout per horizon ({n} maandeinden per "
        "horizon).",
        "fr": "Backtest de l'estimation pour la Belgique : recalculée à chaque fin de mois de "
        "{first} à {last} avec ce qui était comptabilisé alors et comparée à la valeur finale. "
        "Couverture de l'intervalle de prévision à 95 % et erreur médiane par horizon ({n} fins "
        "de mois par horizon).",
        "en": "Backtest of the nowcast for Belgium: recomputed at every month end from {first} "
        "to {last} with what was booked then, and compared with the final value. Coverage of "
        "the 95 % prediction interval and median error by horizon ({n} month ends per horizon).",
    },
    "measure_users": {"nl": "Gebruikers", "fr": "Utilisateurs", "en": "Users"},
    "measure_services": {"nl": "Prestaties", "fr": "Prestations", "en": "Services"},
    "measure_spending_eur": {"nl": "Uitgaven", "fr": "Dépenses", "en": "Spending"},
    "backtest_coverage": {
        "nl": "Dekking van het 95 %-interval per maand, naar aantal maanden vóór het maandeinde",
        "fr": "Couverture de l'intervalle à 95 % par mois, selon le nombre de mois avant la fin "
        "de mois",
        "en": "Coverage of the 95 % interval per month, by months before the as-of month end",
    },
    "backtest_error": {
        "nl": "Mediane absolute fout op de uitgaven per maand: aangevuld tegenover geboekt",
        "fr": "Erreur absolue médiane sur les dépenses par mois : complétées ou comptabilisées",
        "en": "Median absolute error of monthly spending: completed against booked",
    },
    "backtest_table": {
        "nl": "Uitgaven sinds januari en projectie van het jaareinde",
        "fr": "Dépenses depuis janvier et projection de fin d'année",
        "en": "Spending since January and the year-end projection",
    },
    "backtest_estimate": {"nl": "Schatting", "fr": "Estimation", "en": "Estimate"},
    "backtest_cases": {"nl": "Gevallen", "fr": "Cas", "en": "Cases"},
    "backtest_coverage_col": {
        "nl": "Dekking 95 %-interval",
        "fr": "Couverture intervalle à 95 %",
        "en": "95 % interval coverage",
    },
    "backtest_median_error": {
        "nl": "Mediane fout",
        "fr": "Erreur médiane",
        "en": "Median error",
    },
    "backtest_max_error": {
        "nl": "Grootste fout",
        "fr": "Erreur maximale",
        "en": "Largest error",
    },
    "backtest_year_end": {
        "nl": "Jaareinde, geprojecteerd eind {month}",
        "fr": "Fin d'année, projetée fin {month}",
        "en": "Year end, projected at the end of {month}",
    },
    "month_names": {
        "nl": "januari februari maart april mei juni juli augustus september oktober november "
        "december",
        "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre "
        "décembre",
        "en": "January February March April May June July August September October November "
        "December",
    },
    "method_nowcast": {
        "nl": "Zorgverstrekkingen worden weken tot maanden na de sessie geboekt, dus de geboekte "
        "cijfers van de laatste maanden zijn onvolledig. Aangevuld met chain ladder op de "
        "afwikkelingsdriehoek (maand van de zorg \u00d7 boekingsvertraging), elke nacht opnieuw "
        "geschat uit de boekingen gekend op de peildatum, per gebied waar de aantallen volstaan, "
        "anders nationaal; gebruikers die nog niet gezien zijn worden aangevuld op de driehoek "
        "van hun eerste boeking. Banden en waarden onder de schattingen zijn 95 "
        "%-voorspellingsintervallen (methode van Mack). Gewogen naar de IMA-bevolking en "
        "geëxtrapoleerd. Waarden op minder dan {k} waargenomen personen zijn onderdrukt.",
        "fr": "Les prestations sont comptabilisées des semaines à des mois après la séance : les "
        "chiffres comptabilisés des derniers mois sont incomplets. Complétés par chain ladder "
        "sur le triangle de liquidation (mois de la prestation \u00d7 délai de comptabilisation), "
        "réestimé chaque nuit à partir des comptabilisations connues à la date de référence, par "
        "zone quand les effectifs suffisent, sinon au niveau national ; les utilisateurs pas "
        "encore vus sont complétés sur le triangle de leur première comptabilisation. Les bandes "
        "et valeurs sous les estimations sont des intervalles de prévision à 95 % (méthode de "
        "Mack). Pondéré sur la population AIM et extrapolé. Les valeurs reposant sur moins de "
        "{k} personnes observées sont masquées.",
        "en": "Claims are booked weeks to months after the session, so the booked figures of the "
        "last months are incomplete. Completed by chain ladder on the run-off triangle (service "
        "month \u00d7 booking delay), re-estimated every night from the bookings known at the "
        "as-of date, per area where counts allow, national otherwise; users not yet seen are "
        "completed on the triangle of their first booking. Bands and values under the "
        "estimates are 95 % prediction intervals (Mack's method). Weighted to the IMA "
        "population and extrapolated. Values resting on fewer than {k} observed persons are "
        "suppressed.",
    },
    "method_projection": {
        "nl": "Geprojecteerde uitgaven = uitgaven sinds januari, aangevuld met chain ladder, plus "
        "een lineaire trend op de recente aangevulde maanden voor de komende maanden; het 95 "
        "%-voorspellingsinterval telt de fout van de aanvulling en die van de trend. Benutting = "
        "uitgaven / budget; stippellijn: 100 % van het budget. Budgetten per provincie en "
        "netwerktype zijn ramingen (*). Waarden op minder dan {k} waargenomen personen zijn "
        "onderdrukt.",
        "fr": "Dépenses projetées = dépenses depuis janvier, complétées par chain ladder, plus "
        "une tendance linéaire sur les mois complétés récents pour les mois à venir ; "
        "l'intervalle de prévision à 95 % cumule l'erreur du complément et celle de la "
        "tendance. Utilisation = dépenses / budget ; pointillé : 100 % du budget. Les budgets "
        "par province et type de réseau sont des estimations (*). Les valeurs reposant sur "
        "moins de {k} personnes observées sont masquées.",
        "en": "Projected spending = spending since January, completed by chain ladder, plus a "
        "straight-line trend on the recent completed months for the months to come; the 95 % "
        "prediction interval adds the completion's error and the trend's. Utilisation = "
        "spending / budget; dashed line: 100 % of the budget. The budgets per province and "
        "network type are estimates (*). Values resting on fewer than {k} observed persons are "
        "suppressed.",
    },
    "method_backtest": {
        "nl": "Op elk maandeinde van de backtest wordt de nowcast herberekend met enkel de lijnen "
        "die toen geboekt waren, en vergeleken met wat de extractie bevat (de definitieve "
        "waarde). Dekking: aandeel van de 95 %-voorspellingsintervallen dat de definitieve "
        "waarde bevat (stippellijn: 95 %). Fout: |schatting \u2212 definitief| / definitief. "
        "Rijen op minder dan {k} waargenomen personen zijn weggelaten.",
        "fr": "À chaque fin de mois du backtest, l'estimation est recalculée avec les seules "
        "lignes comptabilisées alors, et comparée à ce que contient l'extraction (la valeur "
        "finale). Couverture : part des intervalles de prévision à 95 % contenant la valeur "
        "finale (pointillé : 95 %). Erreur : |estimation \u2212 finale| / finale. Les lignes "
        "reposant sur moins de {k} personnes observées sont écartées.",
        "en": "At every month end of the backtest the nowcast is recomputed with only the lines "
        "booked by then, and compared with what the extraction holds (the final value). "
        "Coverage: share of the 95 % prediction intervals holding the final value (dashed "
        "line: 95 %). Error: |estimate \u2212 final| / final. Rows resting on fewer than {k} "
        "observed persons are left out.",
    },
}


def age_population(code: str) -> Text:
    """The age population of a network type ('0-24', '25+', 'all') in words."""
    if code == "all":
        return text("all_ages")
    if code.endswith("+"):
        return text("age_and_over", age=code[:-1])
    return text("age_range", ages=code)


def text(key: str, **fmt: object) -> Text:
    base = TEXTS[key]
    return {lang: base[lang].format(**fmt) for lang in LANGS}


def same(value: str) -> Text:
    return dict.fromkeys(LANGS, value)


def number(value: float | None, kind: str = "count", decimals: int | None = None) -> Text:
    """A number as each language writes it: 1.234,5 (nl, fr with a space) / 1,234.5 (en).
    Kinds: rate (a fraction shown as a percentage, 1 decimal), decimal (1 decimal), eur
    (whole euros), count (whole units); `decimals` overrides the kind's default."""
    if value is None:
        return text("suppressed")
    if kind == "rate":
        en = f"{value * 100:,.{1 if decimals is None else decimals}f} %"
    elif kind == "decimal":
        en = f"{value:,.{1 if decimals is None else decimals}f}"
    elif kind == "eur":
        en = f"{value:,.0f} EUR"
    else:
        en = f"{value:,.{0 if decimals is None else decimals}f}"
    nl = en.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    fr = en.replace(",", "\u202f").replace(".", ",")
    return {"nl": nl, "fr": fr, "en": en.replace(" %", "%")}
