import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { validateEach } from './validation';

class Item {
  @IsString()
  externalId!: string;

  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

describe('validateEach', () => {
  it('validates every element of an array body and names each failure by its path', () => {
    const results = validateEach(
      Item,
      [
        { externalId: 'a', active: true },
        { externalId: 7 },
        { externalId: 'b', emailAddress: 'x' },
        'text',
        { externalId: 'c', active: 'false' },
      ],
      'users',
    );
    expect(results[0]).toEqual({ index: 0, value: expect.any(Item), details: [] });
    expect(results[0].value).toEqual({ externalId: 'a', active: true });
    expect(results[1].details).toEqual([expect.objectContaining({ path: 'users.1.externalId', field: 'externalId' })]);
    expect(results[2].details).toEqual([
      expect.objectContaining({ path: 'users.2.emailAddress', message: "Unrecognized field 'emailAddress'" }),
    ]);
    expect(results[3].details).toEqual([{ path: 'users.3', message: 'users.3 must be a JSON object' }]);
    // The string "false" is not converted to a boolean (implicit conversion would make it true).
    expect(results[4].details).toEqual([expect.objectContaining({ path: 'users.4.active' })]);
  });
});
