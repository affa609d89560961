"""A realistic, deterministic demo register of Halland, with reports, answers and users.

``plan_register`` (in ``register_plan``) and ``plan_reports`` (in ``report_plan``) are pure:
the same seed gives the same providers, HSA-ids, reports and answers (timestamps move with
today's date). ``seed_demo`` (in ``writer``) writes the plan in batches, with the demo's
logins from ``users``, so a national-scale register of 20,000 clinics takes minutes, not
hours. The company names and organisation numbers of private providers are invented.
"""

from clinics.services.demo.register_plan import (
    DEFAULT_CLINICS,
    DEFAULT_SEED,
    MIN_CLINICS,
    ClinicPlan,
    ProviderPlan,
    RegisterPlan,
    plan_register,
)
from clinics.services.demo.report_plan import AnswerPlan, DemoRequirement, ReportPlan, plan_reports
from clinics.services.demo.users import DEMO_PASSWORD, DemoLogin
from clinics.services.demo.writer import DemoResult, seed_demo

__all__ = [
    "DEFAULT_CLINICS",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "MIN_CLINICS",
    "AnswerPlan",
    "ClinicPlan",
    "DemoLogin",
    "DemoRequirement",
    "DemoResult",
    "ProviderPlan",
    "RegisterPlan",
    "ReportPlan",
    "plan_register",
    "plan_reports",
    "seed_demo",
]
