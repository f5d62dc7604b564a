package dev.clawless.core.usage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Price per million tokens in and out, by {@code provider/model} (or {@code provider/*} for a provider's other
 * models), for cost estimates. Written as {@code openai/gpt-4o-mini=0.15:0.60, anthropic/*=3:15}.
 */
public final class Prices {

    /** USD per million input and output tokens. */
    public record Price(double inputPerMillion, double outputPerMillion) {
    }

    private final Map<String, Price> prices;

    private Prices(Map<String, Price> prices) {
        this.prices = Map.copyOf(prices);
    }

    /**
     * Parses the written form.
     *
     * @throws IllegalArgumentException naming the entry that does not parse
     */
    public static Prices parse(String text) {
        Map<String, Price> out = new LinkedHashMap<>();
        for (String entry : text.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            int colon = e.indexOf(':', eq + 1);
            if (eq <= 0 || colon < 0 || e.substring(0, eq).indexOf('/') <= 0) {
                throw new IllegalArgumentException("'" + e + "' is not provider/model=input:output");
            }
            try {
                double in = Double.parseDouble(e.substring(eq + 1, colon).strip());
                double outPrice = Double.parseDouble(e.substring(colon + 1).strip());
                if (in < 0 || outPrice < 0) {
                    throw new NumberFormatException();
                }
                out.put(e.substring(0, eq).strip(), new Price(in, outPrice));
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException("'" + e + "' has prices that are not non-negative numbers");
            }
        }
        return new Prices(out);
    }

    public Optional<Price> of(String provider, String model) {
        Price exact = prices.get(provider + "/" + model);
        return Optional.ofNullable(exact != null ? exact : prices.get(provider + "/*"));
    }

    /** Estimated cost in millionths of a USD; 0 for unpriced models (retrieval, local models). */
    public long costMicros(String provider, String model, long tokensIn, long tokensOut) {
        return of(provider, model).map(p -> Math.round(tokensIn * p.inputPerMillion() + tokensOut * p.outputPerMillion()))
                .orElse(0L);
    }
}
