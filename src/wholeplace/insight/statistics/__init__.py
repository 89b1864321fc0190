"""Statistical methods, pure: confidence intervals (Wilson, Byar's, exact Poisson, t), funnel
limits with overdispersion (the PHE method), quantiles and ranks with their uncertainty."""
