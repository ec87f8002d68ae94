# @file Reference timings of R's cv.glmnet for bench/tune_process.bench.ts (benchmarking only;
# nsdiff never needs R).
#
# Usage: Rscript bench/glmnet_cv.R DATA.csv TARGET FOLDS NLAMBDA LAMBDA_MIN_RATIO REPEATS
#   -> prints one JSON line on stdout.
#
# Reads the CSV (header row, numeric columns; TARGET is the response, every other column a
# feature), then times only the fit: cv.glmnet(X, y, family = "gaussian", nfolds = FOLDS with
# contiguous folds (foldid 1,1,…,2,2,…, as scikit-learn's KFold without shuffle), nlambda = NLAMBDA,
# lambda.min.ratio = LAMBDA_MIN_RATIO, standardize = FALSE, intercept = TRUE). glmnet's objective
# is 1/(2n)‖y − Xβ − β₀‖² + λ‖β‖₁, the same λ scale as nsdiff and scikit-learn's alpha; cvm is the
# mean over the folds of the validation mean squared error (weighted by fold size: equal folds here).
# The best fit time (wall and process CPU) over REPEATS runs is reported with the time to read the CSV, lambda.min and
# the CV error there.

args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
target <- args[2]
folds <- as.integer(args[3])
nlambda <- as.integer(args[4])
ratio <- as.numeric(args[5])
repeats <- as.integer(args[6])

suppressPackageStartupMessages(library(glmnet))

t0 <- proc.time()[["elapsed"]]
header <- scan(path, what = "", sep = ",", nlines = 1, quiet = TRUE)
cols <- scan(path, what = 0, sep = ",", skip = 1, quiet = TRUE)
m <- matrix(cols, ncol = length(header), byrow = TRUE)
rm(cols)
j <- match(target, header)
y <- m[, j]
X <- m[, -j, drop = FALSE]
rm(m)
read_ms <- (proc.time()[["elapsed"]] - t0) * 1000

n <- nrow(X)
# contiguous folds: the first n %% folds folds get one extra row (scikit-learn's KFold)
sizes <- rep(n %/% folds, folds) + c(rep(1L, n %% folds), rep(0L, folds - n %% folds))
foldid <- rep(seq_len(folds), times = sizes)

best <- Inf
best_cpu <- Inf
fit <- NULL
for (r in seq_len(repeats)) {
  t1 <- proc.time()[["elapsed"]]
  c1 <- sum(proc.time()[c("user.self", "sys.self")])
  fit <- cv.glmnet(X, y, family = "gaussian", foldid = foldid, nlambda = nlambda,
                   lambda.min.ratio = ratio, standardize = FALSE, intercept = TRUE)
  best <- min(best, (proc.time()[["elapsed"]] - t1) * 1000)
  best_cpu <- min(best_cpu, (sum(proc.time()[c("user.self", "sys.self")]) - c1) * 1000)
}
k <- which(fit$lambda == fit$lambda.min)
nnz <- sum(coef(fit, s = "lambda.min")[-1] != 0)
cat(sprintf('{"glmnet":"%s","r":"%s","ms":%.3f,"cpu_ms":%.3f,"read_ms":%.3f,"lambda":%.17g,"cvm":%.17g,"nlambda":%d,"nnz":%d}\n',
            as.character(packageVersion("glmnet")), paste(R.version$major, R.version$minor, sep = "."),
            best, best_cpu, read_ms, fit$lambda.min, fit$cvm[k], length(fit$lambda), nnz))
