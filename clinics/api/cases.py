"""Exemption and platform approval cases over the API: list, detail with the timeline,
create for clinic reporters, and each transition as a POST action.

The views are thin: input serializers read the request, ``clinics.services.cases`` decide
(state, actor, four eyes) and raise ``ApplicationError`` subclasses, which the API's
exception handler turns into 400, 403 or 409 with the message. Which cases exist for a
user comes from ``access.visible_cases`` alone: another clinic's case is a 404.
"""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinics import access
from clinics.models import CaseKind, CaseState, ExemptionCase, ReasonCategory, User
from clinics.services.cases import (
    CaseAlreadyOpen,
    approve_case,
    create_case,
    reject_case,
    return_case,
    revoke_case,
    submit_case,
)
from halland_utbud.api import Conflict
from halland_utbud.errors import ApplicationError
from halland_utbud.limits import LINKS_MAX, LONG_TEXT_MAX, NAME_MAX, URL_MAX
from requirements.models import Requirement
from requirements.selectors import catalogue_in_force
from requirements.vocabulary import ExemptionKind

# Filters


class CaseFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=CaseKind.choices, help_text="Kind of case.")
    state = filters.ChoiceFilter(choices=CaseState.choices, help_text="State of the case.")
    clinic = filters.NumberFilter(field_name="clinic_id", help_text="Clinic id.")
    requirement = filters.CharFilter(
        field_name="requirement__code", help_text="Requirement code, e.g. webbtidbok.boka_direkt."
    )
    expiring_before = filters.DateFilter(
        method="filter_expiring_before",
        help_text="Approved cases whose period ends before this date (YYYY-MM-DD).",
    )

    class Meta:
        model = ExemptionCase
        fields = []

    def filter_expiring_before(self, queryset, name, value):
        return queryset.filter(state=CaseState.APPROVED, valid_until__lt=value)


# Output


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: User) -> str:
        return user.get_full_name() or user.username


class CaseClinicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    hsa_id = serializers.CharField()
    name = serializers.CharField()


class CaseRequirementSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    permanent_exemption_allowed = serializers.BooleanField()


class CaseEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = PersonSerializer(allow_null=True, help_text="Null when the system acted.")
    from_state = serializers.ChoiceField(choices=CaseState.choices, allow_blank=True)
    to_state = serializers.ChoiceField(choices=CaseState.choices)
    comment = serializers.CharField()


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    state = serializers.ChoiceField(choices=CaseState.choices)
    state_label = serializers.CharField(source="get_state_display")
    clinic = CaseClinicSerializer()
    requirement = CaseRequirementSerializer()
    exemption_kind = serializers.ChoiceField(choices=ExemptionKind.choices)
    reason_category = serializers.ChoiceField(choices=ReasonCategory.choices)
    justification = serializers.CharField()
    alternative = serializers.CharField()
    links = serializers.ListField(child=serializers.CharField(), help_text="https links.")
    requested_from = serializers.DateField()
    requested_until = serializers.DateField(allow_null=True)
    requester = PersonSerializer()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_by = PersonSerializer(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_comment = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True, help_text="Inclusive; null: permanent.")
    renews = serializers.IntegerField(
        source="renews_id", allow_null=True, help_text="Id of the case this one renews."
    )


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True, help_text="The timeline, oldest first.")


# Input


class CaseCreateInputSerializer(serializers.Serializer):
    clinic = serializers.IntegerField(help_text="Id of one of your clinics.")
    requirement = serializers.CharField(
        max_length=NAME_MAX,
        help_text="Code of a requirement of the catalogue in force that allows an exemption.",
    )
    exemption_kind = serializers.ChoiceField(choices=ExemptionKind.choices)
    reason_category = serializers.ChoiceField(choices=ReasonCategory.choices)
    justification = serializers.CharField(max_length=LONG_TEXT_MAX)
    alternative = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX
    )
    links = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=list,
        help_text=f"Complete https links, at most {LINKS_MAX} of at most {URL_MAX} characters.",
    )
    requested_from = serializers.DateField()
    requested_until = serializers.DateField(required=False, allow_null=True, default=None)
    renews = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Id of the case renewed."
    )

    def validate_requirement(self, code: str) -> Requirement:
        version = catalogue_in_force(timezone.localdate())
        requirement = (
            Requirement.objects.filter(version=version, code=code).first() if version else None
        )
        if requirement is None:
            raise serializers.ValidationError(
                _("No requirement with this code is in the catalogue in force.")
            )
        return requirement


class ApproveInputSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX
    )


class CommentInputSerializer(serializers.Serializer):
    # Required by the services that take it (reject, return, revoke); an empty one is
    # theirs to refuse, with their own message.
    comment = serializers.CharField(
        allow_blank=True,
        max_length=LONG_TEXT_MAX,
        help_text="Why the request is rejected or the approval revoked, or what needs to "
        "be completed; required, and not empty.",
    )


# Views


def _read(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = CaseFilter

    def get_queryset(self) -> QuerySet[ExemptionCase]:
        cases = access.visible_cases(self.request.user).select_related(
            "clinic", "requirement", "requester", "decided_by"
        )
        if self.action != "list":
            cases = cases.prefetch_related("events__actor")
        return cases.order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    def _detail(self, case: ExemptionCase, status_code: int = status.HTTP_200_OK) -> Response:
        case = self.get_queryset().get(pk=case.pk)
        return Response(CaseDetailSerializer(case).data, status=status_code)

    def _case_to_decide(self, request: Request) -> ExemptionCase:
        # Someone who may not decide hears so (403) before anything about their input.
        case = self.get_object()
        access.check_may_decide_case(request.user, case)
        return case

    @extend_schema(
        request=CaseCreateInputSerializer,
        responses={201: CaseDetailSerializer},
        description="A clinic reporter requests an exemption for one of their clinics; the "
        "case starts as a draft. 404 for a clinic that is not yours, 403 for other roles.",
    )
    def create(self, request: Request) -> Response:
        data = _read(CaseCreateInputSerializer, request)
        clinic = access.get_clinic_for_user(request.user, data.pop("clinic"))
        renews = data.pop("renews")
        if renews is not None:
            renews = access.visible_cases(request.user).filter(pk=renews).first()
            if renews is None:
                raise ApplicationError(
                    _("No such case to renew."),
                    extra={"errors": {"renews": [_("No such case to renew.")]}},
                )
        try:
            case = create_case(clinic=clinic, actor=request.user, renews=renews, **data)
        except CaseAlreadyOpen as already:
            # The page leads to the open case; a client is told where it is.
            if already.case is None:
                raise
            raise Conflict(
                _("%(message)s It is case %(case)d: %(url)s")
                % {
                    "message": already.message,
                    "case": already.case.pk,
                    "url": reverse("api:case-detail", args=[already.case.pk]),
                }
            ) from already
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: int) -> Response:
        return self._detail(submit_case(case=self.get_object(), actor=request.user))

    @extend_schema(request=ApproveInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        case = self._case_to_decide(request)
        data = _read(ApproveInputSerializer, request)
        return self._detail(approve_case(case=case, actor=request.user, **data))

    @extend_schema(request=CommentInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        case = self._case_to_decide(request)
        data = _read(CommentInputSerializer, request)
        return self._detail(reject_case(case=case, actor=request.user, **data))

    @extend_schema(request=CommentInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_completion(self, request: Request, pk: int) -> Response:
        case = self._case_to_decide(request)
        data = _read(CommentInputSerializer, request)
        return self._detail(return_case(case=case, actor=request.user, **data))

    @extend_schema(request=CommentInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: int) -> Response:
        case = self._case_to_decide(request)
        data = _read(CommentInputSerializer, request)
        return self._detail(revoke_case(case=case, actor=request.user, **data))
