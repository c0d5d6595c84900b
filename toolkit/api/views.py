"""The API's endpoints. Each reads and writes the key's workgroup only (``request.auth.workgroup``)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents.services import incident_report_from_api
from toolkit.api import examples
from toolkit.api import serializers as api
from toolkit.api.selectors import protocols_in_force, version_tree, with_version_in_force
from triage.models import Protocol, Transfer, TransferSource
from triage.transfers.metrics import day_start, metric_summary
from triage.transfers.services import transfer_record

METRICS_DEFAULT_DAYS = 90
ERROR = inline_serializer("Error", {
    "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                    help_text="Messages per request field (`non_field_errors` for the whole)."),
    "detail": serializers.CharField(),
})
ERRORS = {400: OpenApiResponse(ERROR, "Invalid request: messages per field."),
          401: OpenApiResponse(ERROR, "No key, or a malformed, unknown or revoked key."),
          403: OpenApiResponse(ERROR, "A read key tried to write."),
          429: OpenApiResponse(ERROR, "Too many requests for this key: wait for Retry-After seconds.")}


class TransferCursor(CursorPagination):
    ordering = ("-initiated_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ProtocolPages(PageNumberPagination):
    page_size = 50


def _context(request: Request) -> dict:
    return {"request": request, "workgroup": request.auth.workgroup}


class TransferList(generics.GenericAPIView):
    serializer_class = api.TransferSerializer
    pagination_class = TransferCursor

    def get_queryset(self):
        return Transfer.objects.filter(workgroup=self.request.auth.workgroup)

    @extend_schema(summary="Transfer records, newest first", responses={200: api.TransferSerializer(many=True),
                                                                        **ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Record a transfer (write key)", request=api.TransferInSerializer,
        description="Creates a transfer record; the protocol version in force, route, agreement and follow-up "
                    "due time are filled in from the workgroup's records. Idempotent on `partner_call_id`: "
                    "sending the same call id for the same partner again answers 200 with the record made the "
                    "first time (and changes nothing); a new record answers 201.",
        responses={201: api.TransferSerializer, 200: api.TransferSerializer, **ERRORS},
        examples=[examples.TRANSFER_IN],
    )
    def post(self, request: Request) -> Response:
        data = api.TransferInSerializer(data=request.data, context=_context(request))
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        existing = self._recorded_already(fields)
        if existing is None:
            try:
                existing, created = transfer_record(workgroup=request.auth.workgroup, actor=None,
                                                    source=TransferSource.API, **fields), True
            except ValidationError:
                existing = self._recorded_already(fields)  # sent twice at once: the other request won
                if existing is None:
                    raise
                created = False
        else:
            created = False
        return Response(api.TransferSerializer(existing).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _recorded_already(self, fields: dict) -> Transfer | None:
        call_id = fields.get("partner_call_id")
        if not call_id:
            return None
        source = fields.get("source_organization") or fields["sending_organization"]
        return self.get_queryset().filter(source_organization=source, partner_call_id=call_id).first()


class IncidentCreate(APIView):
    @extend_schema(
        summary="Report an incident (write key)", request=api.IncidentInSerializer,
        description="Files an incident report (status submitted) for the workgroup's QA reviewers, numbered like "
                    "any other. It is recorded as sent by a partner system, naming the API key as reporter.",
        responses={201: api.IncidentSerializer, **ERRORS}, examples=[examples.INCIDENT_IN],
    )
    def post(self, request: Request) -> Response:
        data = api.IncidentInSerializer(data=request.data, context=_context(request))
        data.is_valid(raise_exception=True)
        token = request.auth
        incident = incident_report_from_api(workgroup=token.workgroup, key_name=str(token), **data.validated_data)
        return Response(api.IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class ProtocolList(generics.GenericAPIView):
    serializer_class = api.ProtocolSerializer
    pagination_class = ProtocolPages

    def get_queryset(self):
        return protocols_in_force(workgroup=self.request.auth.workgroup)

    @extend_schema(summary="Protocols and the version of each in force now",
                   responses={200: api.ProtocolSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        page = with_version_in_force(self.paginate_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProtocolDetail(APIView):
    @extend_schema(summary="One protocol with the tree of its version in force",
                   responses={200: api.ProtocolTreeSerializer, 404: OpenApiResponse(ERROR, "No such protocol in "
                                                                                         "this workgroup."), **ERRORS})
    def get(self, request: Request, protocol_id: int) -> Response:
        protocol = get_object_or_404(Protocol.objects.filter(workgroup=request.auth.workgroup), pk=protocol_id)
        return Response(api.ProtocolTreeSerializer(version_tree(protocol)).data)


class Metrics(APIView):
    @extend_schema(summary="De-identified transfer metrics for a period", parameters=[api.MetricsQuerySerializer],
                   responses={200: api.MetricsSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        query = api.MetricsQuerySerializer(data=request.query_params, context=_context(request))
        query.is_valid(raise_exception=True)
        end = query.validated_data.get("end") or timezone.localdate()
        start = query.validated_data.get("start") or end - timedelta(days=METRICS_DEFAULT_DAYS)
        results = metric_summary(workgroup=request.auth.workgroup, start=day_start(start),
                                 end=day_start(end + timedelta(days=1)),
                                 organization=query.validated_data.get("organization"),
                                 direction=query.validated_data.get("direction") or None)
        return Response(api.MetricsSerializer({"start": start, "end": end, "metrics": results}).data)

