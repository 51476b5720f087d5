"""Member-level rows of the contract's tables (only members are in the extract)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from elp_warehouse.generator.arrow_util import (
    coded_strings,
    date_array,
    decimal_array,
    lookup_strings,
    scrambled,
)
from elp_warehouse.generator.care import CareEvents, YearCare
from elp_warehouse.generator.config import (
    NETWORK_TYPES,
    NO_EXIT,
    SETTINGS,
    Geography,
    NomenclatureCodes,
    year_end,
    year_start,
)
from elp_warehouse.generator.frame import YearFrame
from elp_warehouse.generator.membership import Membership
from elp_warehouse.generator.mess import (
    Columns,
    claims_with_mess,
    dispensings_with_mess,
    refund_booking_lag,
)
from elp_warehouse.generator.population import Population, nis_municipality
from elp_warehouse.generator.providers import PROVIDERS_PER_PROVINCE_MAX
from elp_warehouse.generator.sessions import Services
from elp_warehouse.generator.util import dense_unique
from elp_warehouse.generator.writer import Column

ID_WIDTH = 8
ANTIDEPRESSANTS = (
    "N06AB06",
    "N06AB10",
    "N06AB04",
    "N06AB05",
    "N06AX11",
    "N06AX16",
    "N06AX21",
    "N06AX05",
    "N06AA09",
)
ANTIPSYCHOTICS = ("N05AH04", "N05AX08", "N05AH03", "N05AX12", "N05AD01", "N05AN01")
OTHER_BENEFITS = ("OPT", "SPT", "DEN", "ORT")  # glasses, sports, dental, orthodontics: ignored
PSYCHIATRISTS_PER_PROVINCE = 160
OTHER_CARE_SHARE = 0.10  # member-years with a few non-mental-health claims
OTHER_BENEFIT_SHARE = 0.05


# The tables' columns are returned as functions (functools.partial over arrays that nothing
# changes afterwards) where building the Arrow column costs: TableWriter calls them on its
# background thread, beside the simulation of the next chunk.


def member_ids(person: NDArray[np.integer]) -> pa.StringArray:
    return coded_strings("M", scrambled(person, ID_WIDTH), ID_WIDTH)


def _sequential_ids(prefix: str, start: int, n: int) -> pa.StringArray:
    return coded_strings(prefix, np.arange(start, start + n), 9)


class IdCounter:
    """Sequential unique ids per table, across chunks."""

    def __init__(self, prefix: str) -> None:
        self.prefix, self.next = prefix, 0

    def take(self, n: int) -> Column:
        out = partial(_sequential_ids, self.prefix, self.next, n)
        self.next += n
        return out


def _nis_strings(
    pop: Population, year: int, idx: NDArray[np.int64], geo: Geography
) -> pa.StringArray:
    return coded_strings("", nis_municipality(pop, year, idx, geo), 5, base=10)


def members_yearly(
    fr: YearFrame, pop: Population, geo: Geography, codes: list[str]
) -> dict[str, Column]:
    m = np.flatnonzero(fr.member)
    idx = fr.idx[m]
    days = fr.affiliated_days[m]
    st = fr.statuses

    def clip(d: NDArray[np.int16]) -> NDArray[np.int64]:
        # the mutuality only knows status days while affiliated
        x = d[m].astype(np.int64)
        return np.where(x > 0, np.maximum(np.minimum(x, days), 1), 0)

    code = st.code[m]
    return {
        "member_id": partial(member_ids, idx),
        "year": pa.array(np.full(len(m), fr.year, dtype=np.int16)),
        "birth_year": pa.array(pop.birth_year[idx]),
        "sex": partial(lookup_strings, ["F", "M"], fr.sex[m]),
        "nis_municipality": partial(_nis_strings, pop, fr.year, idx, geo),
        "vt": pa.array(fr.vt[m]),
        "insurability_code": partial(lookup_strings, codes, np.maximum(code, 0), null=code < 0),
        "affiliated_days": pa.array(days.astype(np.int16)),
        "unemployment_days": pa.array(clip(st.unemployment_days).astype(np.int16)),
        "primary_incapacity_days": pa.array(clip(st.primary_incapacity_days).astype(np.int16)),
        "invalidity_days": pa.array(clip(st.invalidity_days).astype(np.int16)),
        "social_assistance": pa.array(st.social_assistance[m]),
        "detained": pa.array(st.detained[m]),
        "placed_child": pa.array(st.placed_child[m]),
    }


def affiliation_periods(mem: Membership, first_year: int, last_year: int) -> dict[str, Column]:
    lo, hi = year_start(first_year), year_end(last_year)
    parts = []
    for s, e in ((mem.start1, mem.end1), (mem.start2, mem.end2)):
        ok = (s >= 0) & (s <= hi) & (e >= lo)
        parts.append((np.flatnonzero(ok), s[ok], e[ok]))
    person = np.concatenate([p[0] for p in parts])
    start = np.concatenate([p[1] for p in parts])
    end = np.concatenate([p[2] for p in parts])
    order = np.lexsort((start, person))
    person, start, end = person[order], start[order], end[order]
    return {
        "member_id": partial(member_ids, person),
        "start_date": partial(date_array, start),
        "end_date": partial(date_array, np.where(end == NO_EXIT, 0, end), null=end == NO_EXIT),
    }


def _member_events(
    ev: CareEvents, keep: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """The dated events of the kept (member) rows: position among the kept rows, day, and the
    selection mask over all events (for per-event attributes)."""
    sel = keep[ev.ev_row]
    kept_pos = np.cumsum(keep) - 1
    return kept_pos[ev.ev_row[sel]], ev.ev_day[sel], sel


class CareWriter:
    """Turns members' care into claims, dispensings and refunds columns."""

    def __init__(
        self,
        codes: NomenclatureCodes,
        network_ids: list[str],
        extraction_day: int,
        rng: np.random.Generator,
        booking_rng: np.random.Generator,
    ) -> None:
        self.codes = codes
        self.network_ids = network_ids
        self.extraction_day = extraction_day
        self.rng = rng
        self.booking_rng = booking_rng
        self.code_list = sorted({c for v in codes.by_care_type.values() for c in v})
        self.code_pos = {c: k for k, c in enumerate(self.code_list)}
        self.claim_ids = IdCounter("C")
        self.dispensing_ids = IdCounter("D")
        self.refund_ids = IdCounter("R")

    def _codes_of(self, care_type: str) -> NDArray[np.int64]:
        return np.array(
            [self.code_pos[c] for c in self.codes.by_care_type[care_type]], dtype=np.int64
        )

    # ------------------------------------------------------------------ claims
    def claims_table(self, cols: Columns) -> dict[str, Column]:
        cols = claims_with_mess(cols, self.extraction_day, self.rng)
        n = len(cols["person"])
        prov = cols["provider"].astype(np.int64)
        prefix = np.where(cols["provider_kind"] == 0, ord("P"), ord("Q")).astype(np.uint8)
        net = cols["network"].astype(np.int64)
        return {
            "claim_id": self.claim_ids.take(n),
            "member_id": partial(member_ids, cols["person"].astype(np.int64)),
            "provider_id": partial(
                coded_strings, prefix, scrambled(np.maximum(prov, 0), 6), 6, null=prov < 0
            ),
            "service_date": partial(date_array, cols["service_day"]),
            "booking_date": partial(date_array, cols["booking_day"]),
            "nomenclature_code": partial(lookup_strings, self.code_list, cols["code"]),
            "quantity": pa.array(cols["quantity"].astype(np.int16)),
            "amount_insurance_eur": partial(decimal_array, cols["ins_cents"]),
            "amount_patient_eur": partial(decimal_array, cols["pat_cents"]),
            "network_id": partial(
                lookup_strings, self.network_ids, np.maximum(net, 0), null=net < 0
            ),
        }

    def year_claims(self, fr: YearFrame, care: YearCare) -> Columns:
        """Psychiatrist, acute / rehabilitation and non-mental-health claims of members."""
        rng = self.rng
        parts: list[Columns] = []
        mem = fr.member
        vt = fr.vt
        # psychiatrist: consultations mostly, some psychotherapy, home visits, concertation
        ev = care.events["psychiatrist"]
        keep = mem[ev.rows]
        row, day, _ = _member_events(ev, keep)
        rows = ev.rows[keep][row]
        codes = self._codes_of("psychiatrist_ambulatory")
        which = rng.choice(len(codes), len(rows), p=[0.7, 0.15, 0.05, 0.1])
        is_vt = vt[rows]
        ins = np.array([5200, 6000, 6500, 3000])[which]
        pat = np.where(which == 3, 0, np.where(is_vt, 300, 1200))
        # a psychiatrist of the province, fixed per person-year
        doc = fr.province[rows].astype(np.int64) * PROVIDERS_PER_PROVINCE_MAX + (
            (fr.idx[rows] * 7 + fr.year) % PSYCHIATRISTS_PER_PROVINCE
        )
        parts.append(
            self._cols(fr.idx[rows], doc, 1, day, codes[which], np.ones(len(rows)), ins, pat)
        )
        # acute / rehabilitation / residential: episodes billed per day, institutions (no provider)
        ev = care.events["acute_rehab"]
        keep = mem[ev.rows]
        row, day, _ = _member_events(ev, keep)
        rows = ev.rows[keep][row]
        codes = np.concatenate(
            [self._codes_of("acute_psychiatric"), self._codes_of("rehab_residential")]
        )
        which = rng.choice(
            len(codes),
            len(rows),
            p=[0.22, 0.1, 0.03, 0.18, 0.12, 0.02, 0.1, 0.06, 0.08, 0.06, 0.03],
        )
        per_day = which < 3
        qty = np.where(per_day | (which >= 6), 1 + rng.geometric(1 / 12, len(rows)), 1)
        qty = np.minimum(qty, 90)
        ins = (
            qty
            * np.array([32000, 18000, 15000, 25000, 9000, 12000, 14000, 8000, 6000, 7000, 9000])[
                which
            ]
        )
        pat = qty * np.where(vt[rows], 500, 1800) * per_day
        parts.append(
            self._cols(fr.idx[rows], np.full(len(rows), -1), 1, day, codes[which], qty, ins, pat)
        )
        # non-mental-health care the warehouse must ignore (GP, physio, dentist)
        m = np.flatnonzero(mem & (rng.random(len(mem)) < OTHER_CARE_SHARE))
        row = np.repeat(np.arange(len(m)), 1 + rng.poisson(0.8, len(m)))
        lo, hi = care.window_lo[m][row], care.window_hi[m][row]
        day = lo + np.floor(rng.random(len(row)) * (hi - lo + 1)).astype(np.int64)
        rows = m[row]
        codes = self._codes_of("other")
        which = rng.integers(0, len(codes), len(rows))
        ins = np.array([2000, 3500, 1800, 2600])[which]
        pat = np.where(vt[rows], 100, 600)
        parts.append(
            self._cols(
                fr.idx[rows],
                np.full(len(rows), -1),
                1,
                day,
                codes[which],
                np.ones(len(rows)),
                ins,
                pat,
            )
        )
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    @staticmethod
    def _cols(person, provider, kind, day, code, qty, ins, pat) -> Columns:  # type: ignore[no-untyped-def]
        n = len(person)
        return {
            "person": np.asarray(person, dtype=np.int64),
            "provider": np.asarray(provider, dtype=np.int64),
            "provider_kind": np.full(n, kind, dtype=np.int8),
            "service_day": np.asarray(day, dtype=np.int64),
            "code": np.asarray(code, dtype=np.int64),
            "quantity": np.asarray(qty, dtype=np.int64),
            "ins_cents": np.asarray(ins, dtype=np.int64),
            "pat_cents": np.asarray(pat, dtype=np.int64),
            "network": np.full(n, -1, dtype=np.int64),
        }

    # ------------------------------------------------------------------ ELP claims
    def elp_claims(self, sv: Services, pop: Population, mem: Membership, last_year: int) -> Columns:
        """ELP services of members on affiliated days, with the convention's amounts."""
        d = sv.day.astype(np.int64)
        p = sv.person
        affiliated = ((mem.start1[p] >= 0) & (mem.start1[p] <= d) & (d <= mem.end1[p])) | (
            (mem.start2[p] >= 0) & (mem.start2[p] <= d) & (d <= mem.end2[p])
        )
        sv = sv.take(affiliated & (d <= self.extraction_day))
        d = sv.day.astype(np.int64)
        year = d.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        k = np.minimum(year, last_year) - pop.first_year
        vt = pop.vt[k, sv.person]
        age = year - pop.birth_year[sv.person]
        free_young = (age <= 23) & (year >= 2023)  # no personal share up to 23 from 2023
        group = sv.setting == SETTINGS.index("group")
        service = sv.setting == 5
        share = np.where(vt, 400, 1100)
        share = np.where((sv.seq == 0) | free_young, 0, share)  # first session always free
        share = np.where(group, np.where(free_young, 0, 250), share)
        ins = np.where(group, 4500, 7500 - share)
        ins = np.where(service, 3750, ins)
        share = np.where(service, 0, share)
        # the code of every (function, setting, network type) present, by one integer key
        functions, settings = ("support", "treatment", "other"), (*SETTINGS, "trajectory_services")
        n_set, n_net = len(settings), len(NETWORK_TYPES)
        key = (sv.function.astype(np.int64) * n_set + sv.setting) * n_net + sv.network_type
        present, inverse = dense_unique(key, len(functions) * n_set * n_net)
        lut = {triple: self.code_pos[c] for triple, c in self.codes.elp.items()}
        code = np.array(
            [
                lut[
                    (
                        functions[k // (n_set * n_net)],
                        settings[k // n_net % n_set],
                        NETWORK_TYPES[k % n_net],
                    )
                ]
                for k in present
            ],
            dtype=np.int64,
        )[inverse]
        return {
            "person": sv.person,
            "provider": sv.provider.astype(np.int64),
            "provider_kind": np.zeros(len(sv), dtype=np.int8),
            "service_day": d,
            "code": code,
            "quantity": np.ones(len(sv), dtype=np.int64),
            "ins_cents": ins.astype(np.int64),
            "pat_cents": share.astype(np.int64),
            "network": sv.network.astype(np.int64),
        }

    # ------------------------------------------------------------------ pharmacy, AV
    def year_dispensings(self, fr: YearFrame, care: YearCare) -> dict[str, Column]:
        rng = self.rng
        ev = care.events["psychotropic"]
        keep = fr.member[ev.rows]
        ad, ap = care.antidepressant[keep], care.antipsychotic[keep]
        row, day, sel = _member_events(ev, keep)
        rows = ev.rows[keep][row]
        # one product per class and person-year; persons on both classes alternate
        prod_ad = rng.integers(0, len(ANTIDEPRESSANTS), len(ad))[row]
        prod_ap = rng.integers(0, len(ANTIPSYCHOTICS), len(ap))[row]
        assert ev.ev_antipsychotic is not None
        use_ap = ev.ev_antipsychotic[sel]
        atc = np.where(use_ap, len(ANTIDEPRESSANTS) + prod_ap, prod_ad)
        pack = np.where(
            use_ap, rng.choice([14, 28, 30, 60], len(row)), rng.choice([28, 30, 56, 98], len(row))
        )
        strength = np.where(
            use_ap,
            rng.choice([0.1, 0.25, 0.5, 1.0], len(row)),
            rng.choice([0.5, 1.0, 2.0], len(row)),
        )
        # insurance share of the pack price: a dispensing fee plus a price per day of treatment
        ins = np.floor(300 + pack * rng.uniform(15, 45, len(row))).astype(np.int64)
        hospital = rng.random(len(row)) < np.where(care.flags["acute_rehab"][rows], 0.3, 0.03)
        cols: Columns = {
            "person": fr.idx[rows],
            "day": day,
            "atc": atc,
            "ddd": np.round(pack * strength, 2).astype(np.float64),
            "hospital": hospital,
            "ins_cents": ins,
        }
        cols = dispensings_with_mess(cols, rng, self.booking_rng, self.extraction_day)
        n = len(cols["day"])
        return {
            "dispensing_id": self.dispensing_ids.take(n),
            "member_id": partial(member_ids, cols["person"]),
            "dispensing_date": partial(date_array, cols["day"]),
            "booking_date": partial(date_array, cols["booking_day"]),
            "atc_code": partial(lookup_strings, [*ANTIDEPRESSANTS, *ANTIPSYCHOTICS], cols["atc"]),
            "ddd": pa.array(cols["ddd"]),
            "pharmacy_type": partial(
                lookup_strings, ["public", "hospital"], cols["hospital"].astype(np.int64)
            ),
            "amount_insurance_eur": partial(decimal_array, cols["ins_cents"]),
        }

    def year_refunds(self, fr: YearFrame, care: YearCare) -> dict[str, Column]:
        rng = self.rng
        ev = care.events["av_psychologist"]
        keep = fr.member[ev.rows]
        row, day, _ = _member_events(ev, keep)
        rows = ev.rows[keep][row]
        benefit = np.zeros(len(rows), dtype=np.int64)
        sessions = np.ones(len(rows), dtype=np.int64)
        amount = sessions * rng.choice([1000, 1500, 2000, 2500], len(rows))
        # other complementary benefits that are not psychology (ignored by the warehouse)
        m = np.flatnonzero(fr.member & (rng.random(len(fr.member)) < OTHER_BENEFIT_SHARE))
        lo, hi = care.window_lo[m], care.window_hi[m]
        o_day = lo + np.floor(rng.random(len(m)) * (hi - lo + 1)).astype(np.int64)
        person = np.concatenate([fr.idx[rows], fr.idx[m]])
        day_all = np.concatenate([day, o_day])
        benefit = np.concatenate([benefit, 1 + rng.integers(0, len(OTHER_BENEFITS), len(m))])
        sessions = np.concatenate([sessions, np.ones(len(m), dtype=np.int64)])
        amount = np.concatenate([amount, rng.integers(1000, 15000, len(m))])
        booking = day_all.astype(np.int64) + refund_booking_lag(len(person), self.booking_rng)
        booked = booking <= self.extraction_day
        person, day_all, booking = person[booked], day_all[booked], booking[booked]
        benefit, sessions, amount = benefit[booked], sessions[booked], amount[booked]
        n = len(person)
        return {
            "refund_id": self.refund_ids.take(n),
            "member_id": partial(member_ids, person),
            "service_date": partial(date_array, day_all),
            "booking_date": partial(date_array, booking),
            "benefit_code": partial(lookup_strings, ["PSY", *OTHER_BENEFITS], benefit),
            "sessions": pa.array(sessions.astype(np.int16)),
            "amount_eur": partial(decimal_array, amount),
        }
