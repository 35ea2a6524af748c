# Over-dispersion of DfE's 2025 referrals and re-referrals, computed by FunnelPlotR's own functions.
#
# Sources R/od_adjustment.R and R/calculate_limits.R of nhs-r-community/FunnelPlotR 0.6.0 (commit
# 9020d49) and runs, as funnel_plot() does (R/funnel_plot.R): transformed_zscore, winsorisation
# (trim_by = 0.1), phi_func, tau_func, then calculate_limits(draw_adjusted = TRUE) at each denominator.
#   proportion: re-referrals of referrals, data_type "PR" (target: the pooled proportion, as FunnelPlotR)
#   rate: referrals against the expected count E = pooled rate x children, data_type "SR", sr_method "CQC"
# Writes expected_summary.csv (phi, tau2 per case) and expected_areas.csv (z-scores, limits per area).
# Run with R 4.2.2 (Debian 12 r-base-core):
#   git -C <FunnelPlotR mirror> show 9020d49:R/od_adjustment.R > /tmp/od_adjustment.R
#   git -C <FunnelPlotR mirror> show 9020d49:R/calculate_limits.R > /tmp/calculate_limits.R
#   Rscript funnelplotr_reference.R /tmp/od_adjustment.R /tmp/calculate_limits.R
args <- commandArgs(trailingOnly = TRUE)
source(args[1])
source(args[2])

inputs <- read.csv("inputs.csv", colClasses = c(old_la_code = "character"))

run <- function(case, numerator, denominator, data_type, sr_method, multiplier) {
  agg <- data.frame(group = inputs$old_la_code, numerator = numerator, denominator = denominator)
  target <- ifelse(data_type == "SR", 1, sum(agg$numerator) / sum(agg$denominator))
  agg <- transformed_zscore(mod_plot_agg = agg, data_type = data_type, sr_method = sr_method)
  agg <- winsorisation(mod_plot_agg = agg, trim_by = 0.1)
  n <- as.numeric(sum(!is.na(agg$Wuzscore)))
  phi <- phi_func(n = n, zscores = na.omit(agg$Wuzscore))
  tau2 <- tau_func(n = n, phi = phi, S = agg[!is.na(agg$Wuzscore), ]$s)
  lim <- calculate_limits(
    df_ci = data.frame(number_seq = sort(unique(agg$denominator))), data_type = data_type,
    sr_method = sr_method, multiplier = multiplier, tau2 = tau2, target = target, draw_adjusted = TRUE
  )
  areas <- merge(agg[, c("group", "numerator", "denominator", "Uzscore", "Wuzscore")], lim,
                 by.x = "denominator", by.y = "number_seq")
  areas$case <- case
  list(
    summary = data.frame(case = case, target = target, phi = phi, tau2 = tau2, n = n),
    areas = areas[, c("case", "group", "numerator", "denominator", "Uzscore", "Wuzscore",
                      "odll95", "odul95", "odll998", "odul998")]
  )
}

pooled_rate <- sum(inputs$referrals) / sum(inputs$children)
pr <- run("rereferrals_proportion", inputs$rereferrals, inputs$referrals, "PR", "SHMI", 100)
sr <- run("referrals_rate", inputs$referrals, pooled_rate * inputs$children, "SR", "CQC", 1)
sr$summary$target <- pooled_rate
write.csv(rbind(pr$summary, sr$summary), "expected_summary.csv", row.names = FALSE)
write.csv(rbind(pr$areas, sr$areas), "expected_areas.csv", row.names = FALSE)
