package dev.clawless.core.assistant;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The operator's routing rules: which {@code provider/model} serves a message by its traits, written as
 * {@code code -> openai/gpt-4o; long -> anthropic/claude-3-5-sonnet-latest; plan:enterprise -> openai/gpt-4o}.
 * Conditions: {@code code} (code fences or code-like lines), {@code long} (over 1,500 characters), {@code complex}
 * (several questions or analysis words), {@code attachments}, {@code plan:<name>}. The first matching rule wins.
 */
public final class RoutingRules {

    private static final Pattern CODE = Pattern.compile("```|^\\s*(def |class |public |function |import |SELECT |#include)"
            + "|[;{}]\\s*$", Pattern.MULTILINE);
    private static final Pattern ANALYSIS = Pattern.compile(
            "(?i)\\b(compare|explain why|step by step|analy[sz]e|trade-?offs?|pros and cons|design)\\b");
    static final int LONG = 1_500;

    /** One rule: a condition and the target. */
    public record Rule(String condition, String target) {
    }

    /** What a rule can look at. */
    public record Traits(String text, boolean attachments, String plan) {
    }

    private final List<Rule> rules;

    private RoutingRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static final RoutingRules NONE = new RoutingRules(List.of());

    /**
     * @throws IllegalArgumentException naming a rule that does not parse
     */
    public static RoutingRules parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String part : text.split(";")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int arrow = p.indexOf("->");
            if (arrow <= 0) {
                throw new IllegalArgumentException("'" + p + "' is not condition -> provider/model");
            }
            String condition = p.substring(0, arrow).strip().toLowerCase(Locale.ROOT);
            String target = p.substring(arrow + 2).strip();
            if (!(condition.equals("code") || condition.equals("long") || condition.equals("complex")
                    || condition.equals("attachments") || condition.matches("plan:[a-z0-9_]+"))) {
                throw new IllegalArgumentException("'" + condition + "' is not code, long, complex, attachments or"
                        + " plan:<name>");
            }
            if (!target.matches("[a-z]+(/[A-Za-z0-9._:@-]+)?")) {
                throw new IllegalArgumentException("'" + target + "' is not provider or provider/model");
            }
            rules.add(new Rule(condition, target));
        }
        return new RoutingRules(rules);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** Targets of the rules that match, in rule order. */
    public List<String> matches(Traits traits) {
        List<String> out = new ArrayList<>();
        for (Rule r : rules) {
            if (holds(r.condition(), traits)) {
                out.add(r.target());
            }
        }
        return out;
    }

    static boolean holds(String condition, Traits t) {
        return switch (condition) {
            case "code" -> CODE.matcher(t.text()).find();
            case "long" -> t.text().length() > LONG;
            case "complex" -> t.text().chars().filter(c -> c == '?').count() >= 3 || ANALYSIS.matcher(t.text()).find();
            case "attachments" -> t.attachments();
            default -> condition.equals("plan:" + t.plan());
        };
    }

    /** The first matching rule's target whose provider is available. */
    Optional<String> route(Traits traits, java.util.Set<String> available) {
        return matches(traits).stream().filter(target -> available.contains(target.split("/")[0])).findFirst();
    }
}
