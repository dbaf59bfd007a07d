import { InvalidArgumentError } from 'commander';

/** A commander parser for a number option, with the bounds in its error. */
export function numberOption(name: string, bounds: { min?: number; max?: number; integer?: boolean } = {}) {
  return (value: string): number => {
    const n = Number(value);
    const integer = bounds.integer ?? true;
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || (bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
      const range = [bounds.min !== undefined ? `at least ${bounds.min}` : '', bounds.max !== undefined ? `at most ${bounds.max}` : ''].filter(Boolean).join(' and ');
      throw new InvalidArgumentError(`${name} must be a ${integer ? 'whole ' : ''}number${range ? ` ${range}` : ''}, got "${value}"`);
    }
    return n;
  };
}

/** A share from 0 to 1. */
export function rateOption(name: string) {
  return numberOption(name, { min: 0, max: 1, integer: false });
}
