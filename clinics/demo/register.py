"""The demo register's providers and clinics, planned without touching the database.

``plan_register`` is pure: the same seed gives the same providers, clinics and HSA-ids.
Clinics are spread over Halland's municipalities by population, in the mix of a real
register: the region's primary care, dental care, hospital and psychiatry, and private
providers under Vårdval Halland. The company names and organisation numbers of private
providers are invented.
"""

import itertools
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from clinics.services.register import REGION_HALLAND_ORG_NR
from halland_utbud.errors import ApplicationError
from requirements.compliance import ClinicProfile
from requirements.identifiers import luhn_is_valid
from requirements.vocabulary import CareType, ClinicKind, ContractForm, Municipality, ProviderKind

DEFAULT_CLINICS = 150
DEFAULT_SEED = 2026
MIN_CLINICS = 10
_REGION_PREFIX = "SE" + REGION_HALLAND_ORG_NR.replace("-", "")


def _words(text: str) -> list[str]:
    return text.split()


# Municipalities by population (thousands), which weighs where clinics lie.
_POPULATION = {"1380": 104, "1384": 85, "1383": 66, "1382": 46, "1381": 26, "1315": 11}
_PLACES = {
    "1380": "Andersberg Brottet Fyllinge Getinge Oskarström Söndrum Vallås Slottsmöllan "
    "Frennarp Gullbrandstorp Nyhem Linehed Kvibille Harplinge Haverdal Furet Snöstorp",
    "1384": "Kungsbacka Onsala Åsa Frillesås Särö Kullavik Fjärås Vallda Hede Älvsåker "
    "Tölö Gällinge Anneberg",
    "1383": "Varberg Träslövsläge Tvååker Veddige Kungsäter Bua Väröbacka Himle Trönninge "
    "Håsten Lindberg Göingegården Rolfstorp",
    "1382": "Falkenberg Ullared Vessigebro Skrea Glommen Långås Slöinge Ätran Morup",
    "1381": "Laholm Mellbystrand Skottorp Knäred Våxtorp Veinge Ysby Vallberga",
    "1315": "Hyltebruk Torup Unnaryd Landeryd Rydöbruk Kinnared",
}
_PLACES = {code: _words(places) for code, places in _PLACES.items()}
_HOSPITAL_SITES = {
    "Halmstad": "1380",
    "Varberg": "1383",
    "Kungsbacka": "1384",
    "Falkenberg": "1382",
}
_HOSPITAL_WEIGHTS = {"Halmstad": 45, "Varberg": 35, "Kungsbacka": 12, "Falkenberg": 8}
_SPECIALTIES = [
    *(
        (name, ClinicKind.SPECIALIST)
        for name in _words(
            "Medicinmottagningen Kirurgmottagningen Ortopedmottagningen Kvinnomottagningen "
            "Ögonmottagningen Hudmottagningen Urologmottagningen Hjärtmottagningen "
            "Neurologmottagningen Reumatologmottagningen Lungmottagningen "
            "Onkologmottagningen Diabetesmottagningen Smärtmottagningen"
        )
    ),
    ("Barn- och ungdomsmottagningen", ClinicKind.SPECIALIST),
    ("Öron-, näs- och halsmottagningen", ClinicKind.SPECIALIST),
    ("Rehabiliteringsmottagningen", ClinicKind.REHABILITATION),
]
_PSYCHIATRY = [
    *((f"Allmänpsykiatriska mottagningen {m.label}", m.value) for m in Municipality),
    ("Beroendemottagningen Halmstad", "1380"),
    ("Psykosmottagningen Varberg", "1383"),
    ("Ätstörningsmottagningen Halmstad", "1380"),
    ("Neuropsykiatriska mottagningen Kungsbacka", "1384"),
]
_BUP = [
    ("BUP Halmstad", "1380"),
    ("BUP Varberg", "1383"),
    ("BUP Kungsbacka", "1384"),
    ("BUP Falkenberg", "1382"),
    ("BUP Neuropsykiatriska teamet Halmstad", "1380"),
    ("BUP Akutteamet Halmstad", "1380"),
]
_ORTHODONTICS = [
    ("Halmstad", "1380"),
    ("Varberg", "1383"),
    ("Kungsbacka", "1384"),
    ("Falkenberg", "1382"),
]
# Invented brand words for private providers; combined with a trade word and "AB".
_BRANDS = _words(
    "Havsbris Strandängen Ljunghed Nissadalen Ätradalen Viskadalen Lagadalen Suseå "
    "Tallbacken Klitterhus Sanddynan Fyrskeppet Ekbacken Bokskogen Saltängen "
    "Ängsbacken Vågbrytaren Lärkbacken Tångvallen Sjöglimten Granbacken Kustbrynet "
    "Tärnudden Sälgbacken"
)
_TRADES = {
    "vardcentral": ["Läkarhus", "Hälsocentral", "Familjeläkare", "Läkargrupp"],
    "dental": ["Tandvård", "Tandläkare", "Tandklinik", "Tandhälsa"],
    "specialist": [
        ("Ögonklinik", ClinicKind.SPECIALIST),
        ("Ortopedklinik", ClinicKind.SPECIALIST),
        ("Hudklinik", ClinicKind.SPECIALIST),
        ("Fysioterapi", ClinicKind.REHABILITATION),
        ("Rehab", ClinicKind.REHABILITATION),
        ("Psykiatri", ClinicKind.PSYCHIATRY),
    ],
}

# (category, clinics in a register of 150). Patientnämnden and Vårdgarantiservice are one
# each at any size; the rest scale with the register.
_MIX = (
    ("region_vardcentral", 24),
    ("region_dental", 20),
    ("region_orthodontics", 4),
    ("hospital", 22),
    ("psychiatry", 10),
    ("bup", 6),
    ("private_vardcentral", 24),
    ("private_dental", 30),
    ("private_specialist", 8),
)
_SINGLE_UNITS = (
    ("Patientnämnden Halland", ClinicKind.PATIENTNAMNDEN),
    ("Vårdgarantiservice Halland", ClinicKind.VARDGARANTISERVICE),
)


@dataclass(frozen=True)
class ProviderPlan:
    org_nr: str
    name: str
    kind: str


@dataclass(frozen=True)
class ClinicPlan:
    hsa_id: str
    name: str
    provider_org_nr: str
    kind: str
    care_type: str
    municipality_code: str
    contract_form: str
    url_1177: str
    reporting_unit: str  # whose account reports for it: a region branch or the provider
    closed: bool = False  # closed a while ago: it has an approved report from before

    @property
    def is_private(self) -> bool:
        return self.provider_org_nr != REGION_HALLAND_ORG_NR

    def profile(self) -> ClinicProfile:
        provider_kind = ProviderKind.PRIVATE if self.is_private else ProviderKind.REGION
        return ClinicProfile(self.kind, self.care_type, provider_kind, self.contract_form)


@dataclass(frozen=True)
class RegisterPlan:
    providers: list[ProviderPlan]
    clinics: list[ClinicPlan]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c.lower() if c.isalnum() else " " for c in ascii_text).split()
    return "-".join(words)


def _apportion(total: int) -> dict[str, int]:
    """Split ``total`` clinics over the mix, in proportion, by largest remainder."""
    base = sum(count for _key, count in _MIX)
    shares = {key: total * count / base for key, count in _MIX}
    counts = {key: int(share) for key, share in shares.items()}
    by_remainder = sorted(_MIX, key=lambda item: counts[item[0]] - shares[item[0]])
    for key, _count in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _weighted_cycle(weights: dict[str, int]) -> Iterator[str]:
    """Keys in proportion to their weights, evenly spread (smooth weighted round robin)."""
    current = dict.fromkeys(weights, 0)
    total = sum(weights.values())
    while True:
        for key, weight in weights.items():
            current[key] += weight
        chosen = max(current, key=current.__getitem__)
        current[chosen] -= total
        yield chosen


class _Names:
    """Unique names: the n-th use of a name gets a number after it."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def __call__(self, name: str) -> str:
        count = self.used[name] = self.used.get(name, 0) + 1
        return name if count == 1 else f"{name} {count}"


class _Planner:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names = _Names()
        self.provider_names = _Names()
        self.codes: set[str] = set()
        self.providers: list[ProviderPlan] = [
            ProviderPlan(REGION_HALLAND_ORG_NR, "Region Halland", ProviderKind.REGION)
        ]
        self.clinics: list[ClinicPlan] = []
        self.places = {code: itertools.cycle(places) for code, places in _PLACES.items()}
        self.municipalities = _weighted_cycle(_POPULATION)
        # (brand, index of the trade word in the category's list), shuffled.
        brands = [(brand, trade) for brand in _BRANDS for trade in range(4)]
        self.rng.shuffle(brands)
        self.brands = itertools.cycle(brands)

    def _unique_code(self, make) -> str:
        while (code := make()) in self.codes:
            pass
        self.codes.add(code)
        return code

    def org_nr(self) -> str:
        def make() -> str:
            base = f"559{self.rng.randrange(10**6):06d}"
            check = next(d for d in "0123456789" if luhn_is_valid(base + d))
            return f"{base[:6]}-{base[6:]}{check}"

        return self._unique_code(make)

    def add(self, name: str, kind: str, municipality: str, *, provider: ProviderPlan, unit: str):
        if provider.kind == ProviderKind.REGION:
            letters, prefix = "OEKBT", _REGION_PREFIX
            code = self._unique_code(
                lambda: f"{self.rng.choice(letters)}{self.rng.randrange(10**5):05d}"
            )
        else:
            # A private provider's units carry its own organisation number.
            alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
            prefix = "SE" + provider.org_nr.replace("-", "")
            code = self._unique_code(lambda: "".join(self.rng.choices(alphabet, k=5)))
        name = self.names(name)
        dental = kind in (ClinicKind.GENERAL_DENTAL, ClinicKind.ORTHODONTICS)
        if provider.kind == ProviderKind.REGION:
            contract_form = ContractForm.REGION_RUN
        elif kind == ClinicKind.VARDCENTRAL or (dental and self.rng.random() < 0.65):
            contract_form = ContractForm.VARDVAL
        else:
            contract_form = ContractForm.PROCURED
        self.clinics.append(
            ClinicPlan(
                hsa_id=f"{prefix}-{code}",
                name=name,
                provider_org_nr=provider.org_nr,
                kind=kind,
                care_type=CareType.DENTAL if dental else CareType.HEALTH,
                municipality_code=municipality,
                contract_form=contract_form,
                url_1177=f"https://www.1177.se/hitta-vard/kontaktkort/{_slug(name)}/",
                reporting_unit=unit,
                closed=provider.kind == ProviderKind.PRIVATE and self.rng.random() < 0.02,
            )
        )

    def place(self) -> tuple[str, str]:
        municipality = next(self.municipalities)
        return next(self.places[municipality]), municipality

    def private_provider(self, category: str) -> tuple[ProviderPlan, str, str | tuple]:
        brand, trade = next(self.brands)
        trades = _TRADES[category]
        trade = trades[trade % len(trades)]
        word = trade[0] if isinstance(trade, tuple) else trade
        name = self.provider_names(f"{brand} {word}")
        provider = ProviderPlan(self.org_nr(), f"{name} AB", ProviderKind.PRIVATE)
        self.providers.append(provider)
        return provider, name, trade


def plan_register(*, clinics: int = DEFAULT_CLINICS, seed: int = DEFAULT_SEED) -> RegisterPlan:
    """The providers and clinics of a demo register of ``clinics`` units."""
    if clinics < MIN_CLINICS:
        raise ApplicationError(
            _("The demo register needs at least %(min)d clinics.") % {"min": MIN_CLINICS}
        )
    planner = _Planner(seed)
    region = planner.providers[0]
    counts = _apportion(clinics - len(_SINGLE_UNITS))

    def region_units(count: int, unit: str, make) -> None:
        for n in range(count):
            name, kind, municipality = make(n)
            planner.add(name, kind, municipality, provider=region, unit=unit)

    def vardcentral(_n):
        place, municipality = planner.place()
        return f"Vårdcentralen {place}", ClinicKind.VARDCENTRAL, municipality

    def folktandvard(_n):
        place, municipality = planner.place()
        return f"Folktandvården {place}", ClinicKind.GENERAL_DENTAL, municipality

    def tandreglering(n):
        site, municipality = _ORTHODONTICS[n % len(_ORTHODONTICS)]
        return f"Folktandvården Tandreglering {site}", ClinicKind.ORTHODONTICS, municipality

    sites = _weighted_cycle(_HOSPITAL_WEIGHTS)
    specialty_at = {site: itertools.cycle(_SPECIALTIES) for site in _HOSPITAL_SITES}

    def hospital(_n):
        site = next(sites)
        specialty, kind = next(specialty_at[site])
        return f"Hallands sjukhus {site}, {specialty}", kind, _HOSPITAL_SITES[site]

    def psychiatry(n):
        name, municipality = _PSYCHIATRY[n % len(_PSYCHIATRY)]
        return f"Psykiatri Halland, {name}", ClinicKind.PSYCHIATRY, municipality

    def bup(n):
        name, municipality = _BUP[n % len(_BUP)]
        return f"Psykiatri Halland, {name}", ClinicKind.BUP, municipality

    region_units(counts["region_vardcentral"], "vardcentralen-halland", vardcentral)
    region_units(counts["region_dental"], "folktandvarden", folktandvard)
    region_units(counts["region_orthodontics"], "folktandvarden", tandreglering)
    region_units(counts["hospital"], "hallands-sjukhus", hospital)
    region_units(counts["psychiatry"], "psykiatri-halland", psychiatry)
    region_units(counts["bup"], "psykiatri-halland", bup)
    for name, kind in _SINGLE_UNITS:
        planner.add(name, kind, Municipality.HALMSTAD, provider=region, unit="regionkontoret")

    # Private providers: a few chains and many single clinics, as under Vårdval Halland.
    for category, sizes in (
        ("private_vardcentral", (1, 1, 1, 2, 2, 3, 4, 6)),
        ("private_dental", (1, 1, 1, 1, 2, 2, 3)),
        ("private_specialist", (1, 1, 2)),
    ):
        remaining = counts[category]
        while remaining > 0:
            provider, brand, trade = planner.private_provider(category.removeprefix("private_"))
            size = min(remaining, planner.rng.choice(sizes))
            remaining -= size
            for _n in range(size):
                place, municipality = planner.place()
                if category == "private_vardcentral":
                    kind = ClinicKind.VARDCENTRAL
                elif category == "private_dental":
                    orthodontics = planner.rng.random() < 0.1
                    kind = ClinicKind.ORTHODONTICS if orthodontics else ClinicKind.GENERAL_DENTAL
                else:
                    kind = trade[1]
                name = f"{brand} {place}" if size > 1 else brand
                planner.add(name, kind, municipality, provider=provider, unit=provider.org_nr)
    return RegisterPlan(providers=planner.providers, clinics=planner.clinics)
