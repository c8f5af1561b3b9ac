"""Which agreements exist (三(三)1, 三(三)2) and what each kind needs: its plan method, an entry, an SOE, a passed
会审 first; and which are averaged under the land-banking cost cap (四(二)). Shared by the agreement and the
acquisition services, below both."""

from __future__ import annotations

from desktop.models.enums import AgreementKind, EntryState, Method

K = AgreementKind

# 三(二)/(三): land banking and acquisition work starts once the entry's plan is filed (方案已备案 on).
PLAN_FILED_ON_STATES = frozenset({EntryState.PLAN_FILED, EntryState.IN_PROGRESS, EntryState.REPORTED,
                                  EntryState.VERIFIED, EntryState.VERIFY_FAILED})
# 四(二): the cost cap is an average over the 收储协议 of one SOE with one town in one year.
CAPPED_KINDS = frozenset({K.LAND_BANKING})
# Which plan method an agreement of a kind belongs to (合作协议 and 收储协议: 三(三)1; 收购/投资监管: 三(三)2).
METHOD_OF_KIND = {K.COOPERATION: Method.LAND_BANKING, K.LAND_BANKING: Method.LAND_BANKING,
                  K.ACQUISITION: Method.ACQUISITION, K.INVESTMENT_SUPERVISION: Method.ACQUISITION}
KINDS_NEEDING_ENTRY = frozenset({K.LAND_BANKING, K.ACQUISITION, K.INVESTMENT_SUPERVISION})
KINDS_NEEDING_SOE = frozenset({K.COOPERATION, K.LAND_BANKING})
# 三(三)2: 收购、投资监管等协议 are signed only after the new project passed 会审.
KINDS_AFTER_JOINT_REVIEW = frozenset({K.ACQUISITION, K.INVESTMENT_SUPERVISION})
