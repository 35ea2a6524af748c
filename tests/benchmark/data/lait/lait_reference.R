# Ranks and quartile bands of lait_values.csv computed by LAIT's own R functions.
#
# Sources R/fn_analysis.R of dfe-analytical-services/local-authority-interactive-tool (commit 2e30e39)
# and reproduces, per measure and year, what its LA-level table does (R/lait_modules/mod_la_lvl_table.R):
#   values_num <- as.numeric(Values) with "-", "c", ".." as NA            (global.R, bds_clean)
#   rank       <- calculate_rank(<every LA>, polarity)                     (rank(-x) for High, ties "min")
#   bands      <- quantile(<every LA's values_num>, na.rm = TRUE)          (R's default, type 7)
#   band       <- calculate_quartile_band(value, bands, polarity, no_show_qb = No_Quartile == "N")
# Writes lait_expected.csv. Run with R 4.2.2 and dplyr 1.0.10 (Debian 12: r-base-core, r-cran-dplyr):
#   git -C <LAIT mirror> show 2e30e39:R/fn_analysis.R > /tmp/fn_analysis.R
#   Rscript lait_reference.R /tmp/fn_analysis.R
args <- commandArgs(trailingOnly = TRUE)
`%notin%` <- Negate(`%in%`) # LAIT's R/fn_helper_functions.R
# LAIT pins dplyr 1.1.4 (renv.lock), whose case_when() casts a bare NA to the other branches' type;
# Debian's dplyr 1.0.10 does not, so the one bare NA of calculate_rank() is given its type here.
# Nothing else of LAIT's code is changed.
code <- readLines(args[1])
code <- sub("is.na(values_num) ~ NA,", "is.na(values_num) ~ NA_character_,", code, fixed = TRUE)
eval(parse(text = code))

values <- read.csv("lait_values.csv", colClasses = "character", check.names = FALSE)
out <- list()
for (key in unique(paste(values$measure, values$year))) {
  part <- values[paste(values$measure, values$year) == key, ]
  polarity <- part$polarity[1]
  no_show_qb <- part$no_quartile[1] == "True"
  part$values_num <- suppressWarnings(as.numeric(
    ifelse(part$value %in% c("-", "c", ".."), NA, part$value)
  ))
  ranked <- calculate_rank(part, polarity)
  bands <- quantile(part$values_num, na.rm = TRUE)
  ranked$quartile_band <- vapply(
    part$values_num,
    function(v) calculate_quartile_band(v, bands, polarity, no_show_qb),
    character(1)
  )
  ranked$q0 <- bands[["0%"]]
  ranked$q25 <- bands[["25%"]]
  ranked$q50 <- bands[["50%"]]
  ranked$q75 <- bands[["75%"]]
  ranked$q100 <- bands[["100%"]]
  out[[key]] <- ranked[, c("measure", "year", "la_number", "la_name", "rank", "quartile_band",
                           "q0", "q25", "q50", "q75", "q100")]
}
result <- do.call(rbind, out)
write.csv(result, "lait_expected.csv", row.names = FALSE, na = "NA")
