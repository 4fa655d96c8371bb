"""The small-number rule, shared by the co-production overview and the governance report: a
figure made from fewer than SMALL_NUMBER cases or responses shows FEWER_THAN_5 instead, so that no
child or family can be picked out. Plain Python."""

SMALL_NUMBER = 5
FEWER_THAN_5 = "fewer than 5"
