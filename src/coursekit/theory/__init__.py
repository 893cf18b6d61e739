"""Pure models for Part I of the course, one module per model.

* :mod:`coursekit.theory.threats`: Walt's balance of threat. :func:`assess_threats` (entry point) predicts
  ``"balance"``, ``"bandwagon"``, ``"hedge"`` (accommodate while keeping allies, the course's own extension)
  or ``"no_alignment"``; :class:`StrategyRules` holds the movable
  thresholds; :data:`THREAT_PRESETS` the worked cases.
* :mod:`coursekit.theory.security_autonomy`: Morrow's security–autonomy trade-off. :func:`alliance_gains`
  (entry point) gives each partner's net gain in the ``"asymmetric"`` or ``"symmetric"`` mode;
  :func:`formation_region` and :func:`compare_modes` map where alliances form.
* :mod:`coursekit.theory.altfeld`: Altfeld's decision to ally: indifference curves (:func:`altfeld_decision`),
  arms against alliances (:func:`arms_or_alliance`), and the client's gain read as an Altfeld move
  (:func:`client_altfeld_choice`).
* :mod:`coursekit.theory.alliance_dilemma`: Snyder's abandonment–entrapment dilemma (:func:`alliance_dilemma`,
  :func:`dilemma_curves`).
* :mod:`coursekit.theory.tactical`: the tactical/strategic checklist (:func:`classify_alliance`,
  :func:`classify_cases`, :func:`benchmark_labels`) and the article's process model
  (:func:`process_model_stage`).

Every function is pure (no I/O, no global state) and raises :class:`ValueError` naming the parameter, its value
and the allowed range when an input is invalid. Every public name is re-exported here, so
``from coursekit import theory; theory.assess_threats(...)`` keeps working.
"""

from coursekit.theory._common import SCALE_MAX, normalise_weights
from coursekit.theory.alliance_dilemma import (
    DILEMMA_LABELS,
    DILEMMA_PARAMS,
    DilemmaCurves,
    DilemmaResult,
    alliance_dilemma,
    dilemma_curves,
)
from coursekit.theory.altfeld import (
    GOODS,
    OPTIONS,
    AltfeldChoice,
    ArmsOrAlliance,
    altfeld_decision,
    altfeld_utility,
    arms_or_alliance,
    client_altfeld_choice,
    indifference_curve,
    utility,
)
from coursekit.theory.security_autonomy import (
    CAR_RUSSIA_EXAMPLE,
    MODES,
    PARAM_LABELS,
    PARAM_RANGES,
    AllianceParams,
    FormationRegion,
    GainsResult,
    Mode,
    ModeComparison,
    alliance_gains,
    compare_modes,
    formation_region,
)
from coursekit.theory.tactical import (
    DEFAULT_FEATURE_WEIGHTS,
    DEFINITION_FEATURES,
    FEATURE_LABELS,
    FEATURES,
    LABELS,
    OUTCOMES,
    PROCESS_STEPS,
    REVERSED_FEATURES,
    SOURCE_COLUMN,
    STRATEGIC_BELOW,
    TACTICAL_FROM,
    Classification,
    ProcessStage,
    ProcessStep,
    benchmark_labels,
    classify_alliance,
    classify_cases,
    feature_weights,
    process_model_stage,
)
from coursekit.theory.threats import (
    FACTOR_LABELS,
    FACTORS,
    STRATEGIES,
    STRATEGY_LABELS,
    THREAT_PRESETS,
    Strategy,
    StrategyRules,
    ThreatAssessment,
    ThreatPreset,
    assess_threats,
    threat_score,
)

__all__ = [
    "SCALE_MAX",
    "normalise_weights",
    # threats
    "FACTORS",
    "FACTOR_LABELS",
    "STRATEGIES",
    "STRATEGY_LABELS",
    "Strategy",
    "StrategyRules",
    "ThreatAssessment",
    "ThreatPreset",
    "THREAT_PRESETS",
    "threat_score",
    "assess_threats",
    # security–autonomy
    "AllianceParams",
    "CAR_RUSSIA_EXAMPLE",
    "MODES",
    "Mode",
    "PARAM_RANGES",
    "PARAM_LABELS",
    "GainsResult",
    "FormationRegion",
    "ModeComparison",
    "alliance_gains",
    "formation_region",
    "compare_modes",
    # Altfeld
    "GOODS",
    "OPTIONS",
    "utility",
    "indifference_curve",
    "AltfeldChoice",
    "altfeld_decision",
    "altfeld_utility",
    "ArmsOrAlliance",
    "arms_or_alliance",
    "client_altfeld_choice",
    # abandonment–entrapment
    "DILEMMA_PARAMS",
    "DILEMMA_LABELS",
    "DilemmaResult",
    "DilemmaCurves",
    "alliance_dilemma",
    "dilemma_curves",
    # tactical checklist and process model
    "FEATURES",
    "FEATURE_LABELS",
    "DEFINITION_FEATURES",
    "DEFAULT_FEATURE_WEIGHTS",
    "REVERSED_FEATURES",
    "TACTICAL_FROM",
    "STRATEGIC_BELOW",
    "LABELS",
    "SOURCE_COLUMN",
    "Classification",
    "feature_weights",
    "classify_alliance",
    "classify_cases",
    "benchmark_labels",
    "ProcessStep",
    "ProcessStage",
    "PROCESS_STEPS",
    "OUTCOMES",
    "process_model_stage",
]
