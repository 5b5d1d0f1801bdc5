"""`POST /contracts/import`: a CSV from the financing system, read with the customer import's rules.

The file is read by the customer import's reader (`read_csv_rows`: a BOM,
CRLF, ";" from Excel, headers typed as "Tenor Months", rows numbered as the
spreadsheet shows them) and answers the same report: created, updated,
unchanged, and the rejected rows with the spreadsheet row and each field's
problem. A bad row never stops the good ones; the vehicle's columns are
`vehicle_brand`, `vehicle_model`, `vehicle_year`, `vehicle_plate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.contracts.model import InvalidContract, row_to_contract_data
from chalicelib.contracts.service import ContractService
from chalicelib.contracts.store import VersionConflict
from chalicelib.customers.csv_rows import read_csv_rows

REQUIRED_COLUMNS = ("contract_no", "customer_external_id")
MAX_REJECTIONS_REPORTED = 100

EXAMPLE_CSV = (
    "contract_no,customer_external_id,product,vehicle_brand,vehicle_model,vehicle_year,vehicle_plate,start_date,"
    "tenor_months,installment_amount,due_day,virtual_account,status,bpkb_status,stnk_tax_date,stnk_renewal_date,"
    "insurance_end_date\r\n"
    "KTR-0001,K-0001,car,Toyota,Avanza,2021,DD 1234 AB,2025-05-01,36,3500000,5,8808123400001,active,held,"
    "2026-06-10,2029-06-10,2026-05-01\r\n"
)


@dataclass
class ContractImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rejected_total: int = 0

    def reject(self, row: int, errors: dict[str, str]) -> None:
        self.rejected_total += 1
        if len(self.rejected) < MAX_REJECTIONS_REPORTED:
            self.rejected.append({"row": row, "errors": errors})

    def body(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejected_total": self.rejected_total,
        }


def _csv_names(fields: dict[str, str]) -> dict[str, str]:
    """Errors named by the file's columns: "vehicle.plate" is the `vehicle_plate` column."""
    return {name.replace("vehicle.", "vehicle_", 1): problem for name, problem in fields.items()}


def import_contracts(lines: Iterable[str], service: ContractService, actor: str) -> ContractImportReport:
    """Every row upserted or rejected; InvalidCsv (before any write) only when the file cannot be read at all."""
    report = ContractImportReport()
    seen: dict[str, int] = {}
    for row_number, row in read_csv_rows(lines, required=REQUIRED_COLUMNS):
        try:
            number = str(row.get("contract_no") or "")
            if number in seen:
                raise InvalidContract({"contract_no": f"already in row {seen[number]} of this file"})
            seen[number] = row_number
            written = service.put(row_to_contract_data(row), actor, audited=False)
        except InvalidContract as error:
            report.reject(row_number, _csv_names(error.fields))
            continue
        except VersionConflict:
            report.reject(row_number, {"contract_no": "changed while it was imported; import the row again"})
            continue
        setattr(report, written.outcome, getattr(report, written.outcome) + 1)
    service.audit(
        actor,
        "contracts.imported",
        "contracts",
        service.clock(),
        created=report.created,
        updated=report.updated,
        rejected=report.rejected_total,
    )
    return report
