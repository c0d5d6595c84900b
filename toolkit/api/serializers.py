"""What the API accepts and answers. Every id a request names is looked up in the key's workgroup only."""

from __future__ import annotations

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from incidents.models import Category, Harm, Incident, IncidentClass, TransferDirection
from partners.models import Organization, TransferLine
from triage.models import (
    Consent,
    Direction,
    FollowUpOutcome,
    Node,
    NodeKind,
    Option,
    Protocol,
    ProtocolVersion,
    RiskLevel,
    Transfer,
    TransferKind,
    TransferResult,
)

MSG_NOT_OURS = "No such id in this workgroup."
MSG_OFFSET = "Give the time in ISO 8601 with its UTC offset, e.g. 2026-03-01T14:05:00-05:00."
MSG_YEAR = "Give a time between the years {low} and {high}."
YEARS = (1990, 2100)  # outside this a time is a typo, and date arithmetic near the calendar's ends overflows


class OffsetDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an explicit offset: a partner's local time without one is ambiguous."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            parsed = parse_datetime(value.strip()) if len(value) <= 40 else None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("no_offset")
        result = super().to_internal_value(value)
        if not YEARS[0] <= result.year <= YEARS[1]:
            self.fail("out_of_range")
        return result

    default_error_messages = {
        **serializers.DateTimeField.default_error_messages,
        "no_offset": MSG_OFFSET,
        "out_of_range": MSG_YEAR.format(low=YEARS[0], high=YEARS[1]),
    }


class WorkgroupRowField(serializers.PrimaryKeyRelatedField):
    """An id of a row of the request's workgroup (``context["workgroup"]``); any other id is simply unknown."""

    default_error_messages = {**serializers.PrimaryKeyRelatedField.default_error_messages,
                              "does_not_exist": MSG_NOT_OURS}

    def __init__(self, model, *, filters: dict | None = None, **kwargs) -> None:
        self.model, self.filters = model, filters or {}
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        return self.model.objects.filter(workgroup=self.context["workgroup"], **self.filters)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not data.isdigit() or len(str(data)) > 18:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


def _time(**kwargs) -> OffsetDateTimeField:
    return OffsetDateTimeField(**kwargs)


# --- Transfers ------------------------------------------------------------------------------------------------


class TransferInSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=Direction.choices)
    sending_organization = WorkgroupRowField(Organization, help_text="Id of the partner that handed the call on.")
    receiving_organization = WorkgroupRowField(Organization, help_text="Id of the partner that took it.")
    source_organization = WorkgroupRowField(
        Organization, required=False, allow_null=True,
        help_text="Whose call id `partner_call_id` is; the sending organization when left out.")
    partner_call_id = serializers.CharField(
        max_length=60, required=False, allow_blank=True,
        help_text="The CAD incident number or crisis-line contact id in that partner's system (never a caller's "
                  "identity). Sending the same id for the same partner again returns the record already made.")
    line = WorkgroupRowField(TransferLine, required=False, allow_null=True,
                             help_text="Id of the receiving organization's transfer line that was dialled.")
    call_received_at = _time(required=False, allow_null=True)
    initiated_at = _time()
    accepted_at = _time(required=False, allow_null=True)
    ended_at = _time(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=TransferKind.choices, required=False)
    consent = serializers.ChoiceField(choices=Consent.choices, required=False, allow_blank=True)
    result = serializers.ChoiceField(choices=TransferResult.choices)
    outcome = WorkgroupRowField(Node, filters={"kind": NodeKind.OUTCOME}, required=False, allow_null=True,
                                help_text="Id of the triage outcome (see /api/v1/protocols/) that sent the call; "
                                          "it must belong to a protocol version in force when it was initiated.")
    risk_level = WorkgroupRowField(RiskLevel, required=False, allow_null=True,
                                   help_text="Id of a risk level of that protocol version.")
    follow_up_done_at = _time(required=False, allow_null=True)
    follow_up_outcome = serializers.ChoiceField(choices=FollowUpOutcome.choices, required=False, allow_blank=True)


class TransferSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transfer
        fields = ["id", "direction", "sending_organization", "receiving_organization", "source_organization",
                  "partner_call_id", "line", "call_received_at", "initiated_at", "accepted_at", "ended_at", "kind",
                  "consent", "result", "protocol_version", "outcome", "route", "risk_level", "risk_level_name",
                  "agreement", "follow_up_due_at", "follow_up_done_at", "follow_up_outcome", "source",
                  "created_at", "updated_at"]
        read_only_fields = fields


# --- Incidents --------------------------------------------------------------------------------------------------


class IncidentInSerializer(serializers.Serializer):
    incident_class = serializers.ChoiceField(choices=IncidentClass.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    occurred_at = _time()
    discovered_at = _time()
    narrative = serializers.CharField(max_length=20000,
                                      help_text="What happened, in order. No names or other identifiers of callers.")
    organizations = serializers.ListField(child=WorkgroupRowField(Organization), required=False, max_length=50,
                                          help_text="Ids of the partners involved.")
    transfer_direction = serializers.ChoiceField(choices=TransferDirection.choices, required=False)
    cad_reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    contact_reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    protocol_version = WorkgroupRowField(ProtocolVersion, required=False, allow_null=True,
                                         help_text="Id of the protocol version in force then; the only one in "
                                                   "force is taken when left out.")
    risk_level = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                       help_text="The name of a risk level of that protocol version.")
    immediate_actions = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    harm_estimate = serializers.ChoiceField(choices=Harm.choices, required=False)
    debrief_offered = serializers.BooleanField(required=False)


class IncidentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Incident
        fields = ["id", "reference", "status", "incident_class", "category", "occurred_at", "discovered_at",
                  "protocol_version", "risk_level", "harm_estimate", "created_at"]
        read_only_fields = fields


# --- Protocols --------------------------------------------------------------------------------------------------


class RiskLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskLevel
        fields = ["id", "key", "name", "description", "default_response", "responder_types", "colour", "order"]


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Node
        fields = ["id", "key", "text", "route", "risk_level", "actions", "codes"]


class VersionSummarySerializer(serializers.ModelSerializer):
    risk_levels = RiskLevelSerializer(many=True, source="api_risk_levels")
    outcomes = OutcomeSerializer(many=True, source="api_outcomes")

    class Meta:
        model = ProtocolVersion
        fields = ["id", "number", "approved_at", "reassessment_guidance", "risk_levels", "outcomes"]


class ProtocolSerializer(serializers.ModelSerializer):
    version_in_force = VersionSummarySerializer(allow_null=True, read_only=True,
                                                help_text="Null when no version of it is in force.")
    in_force_since = serializers.DateTimeField(allow_null=True, read_only=True)

    class Meta:
        model = Protocol
        fields = ["id", "name", "description", "version_in_force", "in_force_since"]


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["id", "label", "next_node", "criteria", "order"]


class NodeSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True)

    class Meta:
        model = Node
        fields = ["id", "key", "kind", "text", "guidance", "is_root", "entry_line", "risk_level", "route",
                  "actions", "codes", "order", "options"]


class VersionTreeSerializer(serializers.ModelSerializer):
    risk_levels = RiskLevelSerializer(many=True, source="api_risk_levels")
    nodes = NodeSerializer(many=True, source="api_nodes", help_text="First question(s) first, then editing order.")
    criteria = serializers.DictField(child=serializers.CharField(), source="api_criteria",
                                     help_text="Criterion key → label, for the options' `criteria`.")

    class Meta:
        model = ProtocolVersion
        fields = ["id", "number", "approved_at", "reassessment_guidance", "risk_levels", "criteria", "nodes"]


class ProtocolTreeSerializer(ProtocolSerializer):
    version_in_force = VersionTreeSerializer(allow_null=True, read_only=True,
                                             help_text="Null when no version of it is in force.")


# --- Metrics ----------------------------------------------------------------------------------------------------


class MetricsQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day (local), inclusive; 90 days before `end` "
                                                            "when left out.")
    end = serializers.DateField(required=False, help_text="Last day (local), inclusive; today when left out.")
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    organization = WorkgroupRowField(Organization, required=False,
                                     help_text="Only transfers this partner sent or received.")

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("start"), attrs.get("end")
        for name, day in (("start", start), ("end", end)):
            if day and not YEARS[0] <= day.year <= YEARS[1]:
                raise serializers.ValidationError({name: [MSG_YEAR.format(low=YEARS[0], high=YEARS[1])]})
        if start and end and start > end:
            raise serializers.ValidationError({"end": ["The end comes before the start."]})
        return attrs


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="Null when there was nothing to count (not 0).")
    unit = serializers.CharField()
    population = serializers.IntegerField(help_text="How many transfers the value is worked out over.")


class MetricsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    metrics = MetricSerializer(many=True)
