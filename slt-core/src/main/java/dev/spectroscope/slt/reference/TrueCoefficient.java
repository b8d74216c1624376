package dev.spectroscope.slt.reference;

import org.apache.commons.math3.fraction.BigFraction;

/**
 * A learning coefficient known in closed form: λ as an exact fraction and its multiplicity m.
 */
public record TrueCoefficient(BigFraction lambda, int multiplicity) {

    public double lambdaValue() {
        return lambda.doubleValue();
    }

    @Override
    public String toString() {
        return "λ = " + lambda.getNumerator() + (lambda.getDenominator().intValue() == 1 ? ""
                : "/" + lambda.getDenominator()) + ", m = " + multiplicity;
    }
}
