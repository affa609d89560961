"""A realistic, deterministic demo register of Halland, with reports, answers and users.

Plain build functions, not a service: ``plan_register`` (``register``), ``plan_accounts``
(``accounts``) and ``plan_reports`` (``reports``) are pure, so the same seed gives the same
providers, HSA-ids, users, reports and answers (timestamps move with today's date).
``seed_demo`` (``writer``) is the one function that writes them, in batches, so a
national-scale register of 20,000 clinics takes minutes, not hours. The company names and
organisation numbers of private providers are invented.
"""

from clinics.demo.accounts import DEMO_PASSWORD, AccountsPlan, DemoLogin, plan_accounts
from clinics.demo.register import (
    DEFAULT_CLINICS,
    DEFAULT_SEED,
    MIN_CLINICS,
    ClinicPlan,
    ProviderPlan,
    RegisterPlan,
    plan_register,
)
from clinics.demo.reports import AnswerPlan, DemoRequirement, ReportPlan, plan_reports
from clinics.demo.writer import DemoResult, seed_demo

__all__ = [
    "DEFAULT_CLINICS",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "MIN_CLINICS",
    "AccountsPlan",
    "AnswerPlan",
    "ClinicPlan",
    "DemoLogin",
    "DemoRequirement",
    "DemoResult",
    "ProviderPlan",
    "RegisterPlan",
    "ReportPlan",
    "plan_accounts",
    "plan_register",
    "plan_reports",
    "seed_demo",
]
