/**
 * A policy's config: its defaults, overridden key by key by the policy pack config. Merging the
 * defaults here keeps a policy right whether or not the caller applied the configSchema's defaults.
 */
export function configOf<T extends object>(
  args: { getConfig<C extends object>(): C },
  defaults: T,
): T {
  return { ...defaults, ...args.getConfig<Partial<T>>() };
}
