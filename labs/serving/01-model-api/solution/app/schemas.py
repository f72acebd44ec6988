"""Request and response models: FastAPI validates every request against them.

A missing or mistyped field never reaches the model: FastAPI answers 422 with
a body whose `detail[].loc` names the field (["body", "rows", 0, "credit_score"]).
"""

from pydantic import BaseModel, ConfigDict, Field

FEATURES = ["age", "annual_income", "loan_amount", "credit_score", "debt_to_income", "late_payments_12m"]


class LoanApplication(BaseModel):
    """One row: the six features of the loan-default model, with plausible ranges."""

    model_config = ConfigDict(extra="forbid")

    age: float = Field(ge=18, le=120)
    annual_income: float = Field(ge=0)
    loan_amount: float = Field(gt=0)
    credit_score: float = Field(ge=300, le=850)
    debt_to_income: float = Field(ge=0, le=10)
    late_payments_12m: float = Field(ge=0, le=365)


class PredictRequest(BaseModel):
    rows: list[LoanApplication] = Field(min_length=1, max_length=1000)


class Prediction(BaseModel):
    probability: float
    # `class` is a Python keyword: the field is class_ in code, "class" in JSON.
    class_: int = Field(serialization_alias="class")


class PredictResponse(BaseModel):
    predictions: list[Prediction]
