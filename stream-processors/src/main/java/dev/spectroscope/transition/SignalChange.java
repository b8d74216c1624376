package dev.spectroscope.transition;

/**
 * A completed move of one signal, as a detector reports it.
 *
 * @param signal        e.g. {@code loss}, {@code llc}, {@code concept:feature-3}
 * @param detector      which detector saw it
 * @param startStep     where the move began (see the detector for how it is placed)
 * @param endStep       where it settled
 * @param detectedAtStep the step at which the detector reported it
 * @param levelBefore   the signal's level before the move
 * @param levelAfter    its level after
 * @param confidence    in [0, 1]: how clearly the move stands out of the signal's noise
 */
public record SignalChange(String signal, String detector, long startStep, long endStep, long detectedAtStep,
                           double levelBefore, double levelAfter, double confidence) {
}
