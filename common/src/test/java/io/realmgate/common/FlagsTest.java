package io.realmgate.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlagsTest {
    private static final Set<String> VALUED = Set.of("--listen", "--name");
    private static final Set<String> SWITCHES = Set.of("--via");

    private static Flags read(String... args) throws InvalidSetting {
        return Flags.read(args, VALUED, SWITCHES);
    }

    @Test
    void readsBothValueFormsAndSwitchesInOrder() throws InvalidSetting {
        Flags f = read("--listen", "127.0.0.1:3128", "--via", "--name=edge=1");
        assertThat(f.help()).isFalse();
        assertThat(f.flags())
                .containsExactly(
                        new Flags.Flag("--listen", "127.0.0.1:3128"),
                        new Flags.Flag("--via", ""),
                        new Flags.Flag("--name", "edge=1"));
        assertThat(f.once())
                .isEqualTo(Map.of("--listen", "127.0.0.1:3128", "--via", "", "--name", "edge=1"));
    }

    @Test
    void anEmptyValueAfterEqualsIsAValue() throws InvalidSetting {
        assertThat(read("--name=").flags()).containsExactly(new Flags.Flag("--name", ""));
    }

    @Test
    void helpStopsTheReadingWhereItStands() throws InvalidSetting {
        Flags f = read("--via", "-h", "--bogus");
        assertThat(f.help()).isTrue();
        assertThat(f.flags()).containsExactly(new Flags.Flag("--via", ""));
        assertThat(read("--help").help()).isTrue();
    }

    @Test
    void repeatsAreKeptInTheListAndRefusedByOnce() throws InvalidSetting {
        Flags f = read("--name", "a", "--name", "b");
        assertThat(f.flags()).extracting(Flags.Flag::value).containsExactly("a", "b");
        assertThatThrownBy(f::once)
                .isInstanceOf(InvalidSetting.class)
                .hasMessage("--name is given twice");
    }

    @Test
    void errorsNameTheFlag() {
        assertThatThrownBy(() -> read("--bogus"))
                .isInstanceOf(InvalidSetting.class)
                .hasMessage("unknown flag '--bogus'");
        assertThatThrownBy(() -> read("-x")).hasMessage("unknown flag '-x'");
        assertThatThrownBy(() -> read("stray")).hasMessage("unexpected argument 'stray'");
        assertThatThrownBy(() -> read("--listen")).hasMessage("--listen needs a value");
        assertThatThrownBy(() -> read("--listen", "--via")).hasMessage("--listen needs a value");
        assertThatThrownBy(() -> read("--via=yes")).hasMessage("--via takes no value");
    }

    @Test
    void theListIsACopy() throws InvalidSetting {
        Flags f = Flags.read(List.of("--via"), VALUED, SWITCHES);
        assertThatThrownBy(() -> f.flags().add(new Flags.Flag("--x", "")))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
