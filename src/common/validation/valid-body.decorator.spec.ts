import 'reflect-metadata';
import { ValidBody } from './valid-body.decorator.js';

describe('ValidBody', () => {
  it('refuses, when the controller is defined, a parameter whose type is not a DTO class', () => {
    expect(() => {
      class Careless {
        handle(@ValidBody() body: Record<string, unknown>): unknown {
          return body;
        }
      }
      return Careless;
    }).toThrow('@ValidBody() on handle: the parameter needs a DTO class type');
  });
});
