package dev.spectroscope.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.events.Alert;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.DosEstimate;
import dev.spectroscope.events.EventTypes;
import dev.spectroscope.events.RunEnded;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicCatalogueTest {

    @Test
    void defaultNamesAreTheDocumentedOnes() {
        List<String> names = new TopicCatalogue().all().stream().map(Topic::name).toList();
        assertEquals(List.of("spectroscope.runs", "spectroscope.metrics", "spectroscope.checkpoints",
                "spectroscope.probes", "spectroscope.estimates", "spectroscope.transitions", "spectroscope.alerts",
                "spectroscope.dlq", "spectroscope.chains"), names);
    }

    @Test
    void prefixAppliesToEveryTopic() {
        TopicCatalogue catalogue = new TopicCatalogue("team-a.spectro.", 6);
        assertTrue(catalogue.all().stream().allMatch(t -> t.name().startsWith("team-a.spectro.")));
        assertTrue(catalogue.all().stream().allMatch(t -> t.partitions() == 6));
        assertEquals("team-a.spectro.alerts", catalogue.alerts().name());
    }

    @Test
    void everyEventTypeHasExactlyOneTopic() {
        TopicCatalogue catalogue = new TopicCatalogue();
        for (var type : EventTypes.all()) {
            long carriers = catalogue.all().stream().filter(t -> t.eventTypes().contains(type)).count();
            assertEquals(1, carriers, type.getSimpleName());
        }
        assertEquals("spectroscope.runs", catalogue.topicFor(RunEnded.class).name());
        assertEquals("spectroscope.probes", catalogue.topicFor(ConceptProbe.class).name());
        assertEquals("spectroscope.chains", catalogue.topicFor(dev.spectroscope.events.SgldChain.class).name());
        assertEquals("spectroscope.estimates", catalogue.topicFor(DosEstimate.class).name());
        assertEquals("spectroscope.alerts", catalogue.topicFor(Alert.class).name());
    }

    @Test
    void runsAreKeptForeverAndNotCompacted() {
        Topic<?> runs = new TopicCatalogue().runs();
        assertEquals("delete", runs.configs().get("cleanup.policy"));
        assertEquals("-1", runs.configs().get("retention.ms"));
    }

    @Test
    void illegalSettingsAreRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TopicCatalogue("bad prefix/", 3));
        assertTrue(e.getMessage().contains("bad prefix/"));
        assertThrows(IllegalArgumentException.class, () -> new TopicCatalogue("ok.", 0));
    }
}
