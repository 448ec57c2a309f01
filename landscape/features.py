"""What themes and overlaps are computed on: the meaning and the vocabulary of each initiative, combined.

Measured on the sample corpus against a person's grouping (eval/README.md, "Overview quality"): k-means on
the raw centroids agreed weakly (AMI ≈ 0.3). Two things helped. Centring the vectors (subtracting the mean
initiative) removes what every health initiative shares, so cosines spread out. TF-IDF over the analyzer's
terms (stems and compound parts) adds the concrete vocabulary of an approach ("iltmætning", "dosisrulle").
Both are L2-normalised and concatenated with weights √w and √(1 − w), so the cosine of two rows is
w · vector cosine + (1 − w) · TF-IDF cosine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer

from landscape.profiles import InitiativeProfiles

VECTOR_WEIGHT = 0.4  # share of the vector cosine in the combined cosine (best on the sample corpus)
MIN_DF = 2  # a term in one initiative only says nothing about what initiatives share
MAX_DF = 0.5  # a term in more than half the initiatives says nothing about what sets them apart
LSA_DIMENSIONS = 128  # TF-IDF is reduced to this many dimensions (truncated SVD) for large collections
SEED = 20261130


@dataclass
class Features:
    """Rows follow the profiles; `combined` rows are L2-normalised."""

    combined: np.ndarray
    meaning: np.ndarray  # the centred mean vectors alone, rows L2-normalised
    tfidf: sparse.csr_matrix  # rows L2-normalised; columns are `terms`
    terms: list[str]
    # What was fitted on the collection, so that one more initiative can be put in the same space
    # (an incremental landscape, incremental.py): the mean vector, the terms' IDF, the LSA axes.
    centre: np.ndarray | None = None
    idf: np.ndarray | None = None
    components: np.ndarray | None = None  # (LSA_DIMENSIONS, terms), or None when TF-IDF is used as is


def normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def term_tfidf(profiles: InitiativeProfiles) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
    """TF-IDF (sublinear tf) of the analysed terms, without terms too rare or too common to matter."""
    counts = DictVectorizer(dtype=np.float64).fit(profiles.terms)
    matrix = sparse.csr_matrix(counts.transform(profiles.terms))
    names = counts.get_feature_names_out()
    document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    keep = (document_frequency >= min(MIN_DF, len(profiles))) & (
        document_frequency <= max(MAX_DF * len(profiles), MIN_DF)
    )
    matrix = matrix[:, np.flatnonzero(keep)]
    transformer = TfidfTransformer(sublinear_tf=True).fit(matrix)
    tfidf = transformer.transform(matrix)
    return sparse.csr_matrix(tfidf), [str(name) for name in names[keep]], transformer.idf_


def build_features(profiles: InitiativeProfiles) -> Features:
    """The combined representation of every initiative."""
    vectors = profiles.vectors.astype(np.float64)
    centre = vectors.mean(axis=0) if len(vectors) > 1 else np.zeros(vectors.shape[1])
    centred = normalise(vectors - centre)
    tfidf, terms, idf = term_tfidf(profiles)
    components = None
    if tfidf.shape[1] > LSA_DIMENSIONS and tfidf.shape[0] > LSA_DIMENSIONS:
        # Dense TF-IDF would not fit in memory for tens of thousands of initiatives; the SVD keeps the
        # cosines close (on the sample corpus the grouping is the same with or without it).
        svd = TruncatedSVD(LSA_DIMENSIONS, random_state=SEED)
        lexical = normalise(svd.fit_transform(tfidf))
        components = svd.components_
    else:
        lexical = tfidf.toarray()
    combined = np.hstack([math.sqrt(VECTOR_WEIGHT) * centred, math.sqrt(1 - VECTOR_WEIGHT) * lexical])
    return Features(
        normalise(combined).astype(np.float32),
        centred.astype(np.float32),
        tfidf,
        terms,
        centre,
        idf,
        components,
    )


def project_features(
    profiles: InitiativeProfiles,
    centre: np.ndarray,
    terms: list[str],
    idf: np.ndarray,
    components: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """(combined, meaning) of initiatives in a space fitted before on a collection (`build_features`):
    centred on its mean vector, TF-IDF with its terms and IDF, reduced on its LSA axes."""
    vectors = profiles.vectors.astype(np.float64)
    centred = normalise(vectors - centre) if len(vectors) else np.zeros((0, len(centre)))
    column = {term: i for i, term in enumerate(terms)}
    counts = sparse.lil_matrix((len(profiles), len(terms)), dtype=np.float64)
    for row, initiative_terms in enumerate(profiles.terms):
        for term, n in initiative_terms.items():
            if term in column:
                counts[row, column[term]] = n
    matrix = sparse.csr_matrix(counts)
    matrix.data = (np.log(matrix.data) + 1.0) * idf[matrix.indices]  # sublinear tf, as TfidfTransformer
    tfidf = sparse.csr_matrix(normalise_sparse(matrix))
    lexical = normalise(np.asarray(tfidf @ components.T)) if components is not None else tfidf.toarray()
    combined = np.hstack([math.sqrt(VECTOR_WEIGHT) * centred, math.sqrt(1 - VECTOR_WEIGHT) * lexical])
    return normalise(combined).astype(np.float32), centred.astype(np.float32)


def normalise_sparse(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.where(norms == 0, 1.0, norms)) @ matrix
